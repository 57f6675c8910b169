-- Enrollment tokens that enroll several agents: a StatefulSet with replicas (or an autoscaler) starts many pods
-- with one token. `max_uses` stays 1 unless the tenant asks for more; `used_at` / `used_by_agent` record the latest
-- use, and the token counts as used once `use_count` reaches `max_uses`.
ALTER TABLE agent_enrollment_tokens
    ADD COLUMN max_uses  integer NOT NULL DEFAULT 1 CHECK (max_uses BETWEEN 1 AND 1000),
    ADD COLUMN use_count integer NOT NULL DEFAULT 0;
UPDATE agent_enrollment_tokens SET use_count = 1 WHERE used_at IS NOT NULL;
ALTER TABLE agent_enrollment_tokens
    ADD CONSTRAINT agent_enrollment_tokens_use_count_check CHECK (use_count BETWEEN 0 AND max_uses),
    ADD CONSTRAINT agent_enrollment_tokens_used_check CHECK ((use_count = 0) = (used_at IS NULL));
