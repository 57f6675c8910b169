import Foundation

/// Maps Authorize.Net's always-HTTP-200 errors onto `GatewayError` (gateways reference §6): API-level
/// `messages.message[].code` (E000xx) and transaction-level `transactionResponse.errors[].errorCode`.
struct AuthorizeNetErrors: Sendable {
    /// Values that must never reach an error text: Authorize.Net's schema errors quote the offending value, and
    /// that value may be the login id or transaction key.
    let secrets: [String]

    static let duplicateRecord = "E00039"
    static let recordNotFound = "E00040"
    /// Transaction error 11: an identical transaction inside `duplicateWindow`.
    static let duplicateTransaction = "11"
    /// Transaction error 54: the referenced transaction is not settled (or otherwise cannot be credited).
    static let notRefundable = "54"
    /// Transaction error 55: the credits would exceed the original debit.
    static let refundExceedsCharge = "55"

    /// Transaction errors Authorize.Net documents as "try again" processing failures.
    private static let transientTransactionErrors: Set<String> = ["19", "20", "21", "22", "23", "25", "26", "57", "58", "59", "60", "61", "62", "63"]

    func redact(_ text: String) -> String {
        secrets.filter { !$0.isEmpty }.reduce(text) { $0.replacingOccurrences(of: $1, with: "[redacted]") }
    }

    /// The error for a `resultCode: "Error"` answer without a more specific transaction-level reason.
    func apiError(_ response: AuthorizeNetResponse) -> GatewayError {
        guard let message = response.firstMessage else { return .transient("Authorize.Net reported an error without a code") }
        let text = redact(message.text)
        switch message.code {
        case "E00007", "E00008", "E00124": return .authentication
        case "E00011", "E00044", "E00059": return .permissionDenied
        case Self.recordNotFound: return .notFound
        case "E00001", "E00053": return .transient("Authorize.Net \(message.code): \(text)")
        case "E00003": return .invalidRequest(code: message.code, message: text, field: Self.schemaField(text))
        case "E00114": return .invalidRequest(code: message.code, message: text, field: "token")
        default: return .invalidRequest(code: message.code, message: text, field: nil)
        }
    }

    /// The error for a transaction that was not approved (`responseCode` 2 or 3).
    func transactionError(_ response: AuthorizeNetResponse) -> GatewayError {
        guard let transaction = response.transactionResponse, let error = transaction.errors?.items.first else {
            return apiError(response)
        }
        let code = error.errorCode.value
        let text = redact(error.errorText)
        if transaction.responseCode?.value == "2" { return .declined(.init(code: code, message: text)) }
        switch code {
        case Self.duplicateTransaction: return .duplicateSuspected
        case "2", "3", "4", "27", "44", "45", "65", "165", "250", "251", "254": return .declined(.init(code: code, message: text))
        case "5", Self.refundExceedsCharge: return .invalidRequest(code: code, message: text, field: "amount")
        case "13": return .authentication
        case "16": return .notFound
        case _ where Self.transientTransactionErrors.contains(code): return .transient("Authorize.Net error \(code): \(text)")
        default: return .invalidRequest(code: code, message: text, field: nil)
        }
    }

    /// The element an E00003 schema message names: "The 'AnetApi/xml/v1/schema/AnetApiSchema.xsd:refId' element is
    /// invalid …" or "… has invalid child element 'order' …".
    static func schemaField(_ text: String) -> String? {
        for marker in ["AnetApiSchema.xsd:", "invalid child element '", "has incomplete content. List of possible elements expected: '"] {
            guard let start = text.range(of: marker)?.upperBound else { continue }
            let name = text[start...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            if !name.isEmpty { return String(name) }
        }
        return nil
    }
}
