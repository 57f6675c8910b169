/// Paths and header names of the fleet protocol between `tollgate-edge` and the control plane.
public enum FleetProtocol {
    public static let enrollPath = "/v1/agent/enroll"
    /// `GET ?since=<version>&wait=<seconds>`: a `SyncBundle`; without `since` (or with an unknown one) a full one.
    public static let syncPath = "/v1/agent/sync"
    /// `POST` a `UsageBatch`, answered with a `UsageBatchResult`.
    public static let usagePath = "/v1/agent/usage"
    /// `POST` a `MetricsBatch`, answered 202 (also for a re-sent sequence).
    public static let metricsPath = "/v1/agent/metrics"
    /// `POST` an `AllowanceRequest`, answered with an `AllowanceGrant`.
    public static let allowancesPath = "/v1/agent/allowances"
    /// The agent's version on every call.
    public static let versionHeader = "X-Tollgate-Agent-Version"
    /// The longest long poll the control plane holds open, in seconds.
    public static let maximumWaitSeconds = 60
}
