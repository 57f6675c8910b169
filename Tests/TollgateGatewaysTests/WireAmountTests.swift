import Testing
import TollgateCore

@testable import TollgateGateways

@Suite struct WireAmountTests {
    static let kwd = try! Currency("KWD")
    static let huf = try! Currency("HUF")

    @Test(arguments: [
        (1_000_000 as Int64, "USD", 100 as Int64, "1.00"),
        (10_000, "USD", 1, "0.01"),
        (-2_500_000, "USD", -250, "-2.50"),
        (3_000_000, "JPY", 3, "3"),
        (1_234_000, "KWD", 1234, "1.234"),
        (0, "EUR", 0, "0.00"),
    ])
    func convertsExactly(micros: Int64, code: String, minor: Int64, decimal: String) throws {
        let money = Money(micros: micros, currency: try Currency(code))
        #expect(try WireAmount.minorUnits(money) == minor)
        #expect(try WireAmount.decimalString(money) == decimal)
        #expect(try WireAmount.money(minorUnits: minor, currency: money.currency) == money)
        #expect(try WireAmount.money(decimalString: decimal, currency: money.currency) == money)
    }

    @Test func refusesWhatTheWireCannotCarry() throws {
        // Sub-cent micros never get rounded onto a card.
        #expect(throws: GatewayError.self) { try WireAmount.minorUnits(Money(micros: 10_001, currency: .usd)) }
        #expect(throws: GatewayError.self) { try WireAmount.minorUnits(Money(micros: 1_500_000, currency: .jpy)) }
        #expect(throws: GatewayError.self) { try WireAmount.minorUnits(Money(micros: 1, currency: try Currency("XTS"))) }
        for bad in ["1.234", "", ".5", "5.", "1e3", "+1.00", "1,00", "１.00", "99999999999999999999"] {
            #expect(throws: GatewayError.self, "\(bad)") { try WireAmount.money(decimalString: bad, currency: .usd) }
        }
        #expect(throws: GatewayError.self) { try WireAmount.money(minorUnits: .max, currency: .usd) }
        // PayPal writes HUF without decimals.
        let paypal = ["HUF": 0, "TWD": 0]
        #expect(try WireAmount.decimalString(Money(micros: 150_000_000, currency: Self.huf), overrides: paypal) == "150")
        #expect(throws: GatewayError.self) { try WireAmount.decimalString(Money(micros: 150_500_000, currency: Self.huf), overrides: paypal) }
        #expect(WireAmount.lowercaseCode(.usd) == "usd")
    }

    /// Seeded round trips: every whole-minor-unit amount survives both wire forms unchanged.
    @Test func roundTripsRandomAmounts() throws {
        var state: UInt64 = 0x5EED
        for currency in [Currency.usd, .jpy, Self.kwd] {
            for _ in 0..<500 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let minor = Int64(bitPattern: state >> 20) % 1_000_000_000_000
                let money = try WireAmount.money(minorUnits: minor, currency: currency)
                #expect(try WireAmount.minorUnits(money) == minor)
                #expect(try WireAmount.money(decimalString: try WireAmount.decimalString(money), currency: currency) == money)
            }
        }
    }

    @Test func idempotencyKeysFitEveryVendorAndRepeat() {
        let key = IdempotencyKey(ledgerKey: "topup:9d2c…", operation: "charge")
        #expect(key.raw.count == 26 && key.refID.count == 20)
        #expect(key == IdempotencyKey(ledgerKey: "topup:9d2c…", operation: "charge"))
        #expect(key != IdempotencyKey(ledgerKey: "topup:9d2c…", operation: "refund"))
        #expect(key.raw.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) })
    }

    @Test func capabilitiesFollowTheVendors() {
        #expect(GatewayCapabilities.of(.stripe).contains(.customerBalance))
        #expect(!GatewayCapabilities.of(.adyen).contains(.paymentStatusLookup))
        #expect(!GatewayCapabilities.of(.adyen).contains(.synchronousRefund))
        #expect(!GatewayCapabilities.of(.authorizeNet).contains(.nativeIdempotency))
        #expect(GatewayError.transient("timeout").isRetryable && !GatewayError.idempotencyConflict.isRetryable)
    }
}
