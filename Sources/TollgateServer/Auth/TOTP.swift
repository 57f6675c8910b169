import Crypto
import Foundation
import TollgateCore

/// RFC 6238 time-based one-time passwords: HMAC-SHA1, 30-second steps, 6 digits — what authenticator apps expect.
public struct TOTP: Sendable {
    public let secret: [UInt8]
    public static let period: Int64 = 30
    public static let digits = 6

    public init(secret: [UInt8]) { self.secret = secret }

    public static func generateSecret() -> [UInt8] { SecureRandom.bytes(20) }

    public static func step(at date: Date) -> Int64 { Int64(date.timeIntervalSince1970) / period }

    public func code(step: Int64) -> String {
        var counter = UInt64(step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Array($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary =
            (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
        let value = binary % 1_000_000
        let text = String(value)
        return String(repeating: "0", count: Self.digits - text.count) + text
    }

    /// The step a code matches within ±1 step of clock drift, or nil. Callers reject steps already used (replay).
    public func matchingStep(for code: String, at date: Date) -> Int64? {
        let trimmed = code.filter { !$0.isWhitespace }
        guard trimmed.count == Self.digits, trimmed.allSatisfy(\.isASCII), trimmed.allSatisfy(\.isNumber) else { return nil }
        let now = Self.step(at: date)
        for candidate in [now, now - 1, now + 1] where ConstantTime.equals(Array(self.code(step: candidate).utf8), Array(trimmed.utf8)) {
            return candidate
        }
        return nil
    }

    public func provisioningURI(account: String, issuer: String) -> String {
        let allowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: ":@&=+"))
        let label = "\(issuer):\(account)".addingPercentEncoding(withAllowedCharacters: allowed) ?? account
        let issuerParam = issuer.addingPercentEncoding(withAllowedCharacters: allowed) ?? issuer
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=\(issuerParam)&algorithm=SHA1&digits=6&period=30"
    }
}
