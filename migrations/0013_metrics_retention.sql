-- Retention of the traffic rollups (MetricsRetention, hourly): minutes older than TOLLGATE_METRICS_RETENTION_DAYS and
-- batch claims older than the ingest window are deleted by time. BRIN indexes suit these append-in-time-order tables:
-- a few pages each, cheap to keep up on every ingest, and they let the deletes skip the recent blocks.
CREATE INDEX metrics_minute_minute_brin ON metrics_minute USING brin (minute);
CREATE INDEX metrics_latency_minute_minute_brin ON metrics_latency_minute USING brin (minute);
CREATE INDEX agent_metric_batches_received_brin ON agent_metric_batches USING brin (received_at);
