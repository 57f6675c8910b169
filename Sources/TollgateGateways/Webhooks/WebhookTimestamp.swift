import Foundation

/// Time handling shared by the verifiers: Unix-seconds headers and the replay window.
enum WebhookTimestamp {
    /// A header carrying integer Unix seconds (Stripe `t=`, Standard Webhooks `webhook-timestamp`).
    static func unixSeconds(_ text: String, header: String) throws(WebhookVerificationError) -> Int64 {
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = Int64(text) else {
            throw .malformedHeader(name: header, reason: "timestamp \"\(text)\" is not integer Unix seconds")
        }
        return value
    }

    /// Rejects timestamps too far in the past (replays) and too far in the future (a skewed or forging sender).
    static func checkTolerance(_ timestamp: Int64, now: Date, tolerance: Int64) throws(WebhookVerificationError) {
        let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let (distance, overflow) = nowSeconds.subtractingReportingOverflow(timestamp)
        guard !overflow, distance.magnitude <= tolerance.magnitude else {
            throw .timestampOutsideTolerance(timestamp: timestamp, now: nowSeconds, toleranceSeconds: tolerance)
        }
    }
}
