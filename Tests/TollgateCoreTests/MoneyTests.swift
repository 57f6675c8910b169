import Foundation
import Testing
import TollgateCore

@Suite struct MoneyTests {
    @Test func currencyAcceptsOnlyThreeUpperCaseLetters() throws {
        #expect(try Currency("USD").code == "USD")
        #expect(try Currency("XTS").minorUnitExponent == nil)
        #expect(Currency.jpy.minorUnitExponent == 0)
        #expect(try Currency("KWD").minorUnitExponent == 3)
        for bad in ["usd", "US", "USDD", "", "U$D", "ÜSD", " USD"] {
            #expect(throws: MoneyError.invalidCurrencyCode(bad)) { try Currency(bad) }
        }
    }

    @Test(arguments: [
        ("USD 0.01", 10_000 as Int64, "USD"),
        ("USD 3.14", 3_140_000, "USD"),
        ("USD 0", 0, "USD"),
        ("USD 0.00", 0, "USD"),
        ("EUR 12", 12_000_000, "EUR"),
        ("USD 0.000001", 1, "USD"),
        ("USD 007.5", 7_500_000, "USD"),
        ("JPY 100", 100_000_000, "JPY"),
        ("USD 9223372036854.775807", Int64.max, "USD"),
        ("USD  0.01", 10_000, "USD"),  // the published grammar allows any run of whitespace here
        ("USD\t0.01", 10_000, "USD"),
    ])
    func parsesValidPriceStrings(text: String, micros: Int64, currency: String) throws {
        let money = try Money(priceString: text)
        #expect(money == Money(micros: micros, currency: try Currency(currency)))
    }

    @Test(arguments: [
        ("", PriceStringError.empty),
        (" USD 0.01", .unexpectedWhitespace),
        ("USD 0.01 ", .unexpectedWhitespace),
        ("USD 0. 01", .unexpectedWhitespace),
        ("usd 0.01", .invalidCurrency("usd")),
        ("US 0.01", .invalidCurrency("US")),
        ("USDX 0.01", .invalidCurrency("USDX")),
        ("USD0.01", .missingSeparator),
        ("0.01", .invalidCurrency("0.01")),
        ("USD", .missingAmount),
        ("USD -0.01", .negativeAmount),
        ("USD +0.01", .invalidAmountCharacter("+")),
        ("USD 1e-2", .exponentNotation),
        ("USD 1E2", .exponentNotation),
        ("USD .5", .missingIntegerDigits),
        ("USD 1.", .missingFractionDigits),
        ("USD 0.0000001", .tooManyFractionDigits(7)),
        ("USD 0.1234567890", .tooManyFractionDigits(10)),
        ("USD 1,00", .invalidAmountCharacter(",")),
        ("USD 1.2.3", .invalidAmountCharacter(".")),
        ("USD 0x10", .invalidAmountCharacter("x")),
        ("USD 9223372036854.775808", .amountTooLarge),
        ("USD 99999999999999999999", .amountTooLarge),
    ])
    func rejectsInvalidPriceStrings(text: String, error: PriceStringError) {
        #expect(throws: error) { try PriceString.parse(text) }
    }

    @Test func formatsWithMinorUnitsAndExactPrecision() throws {
        #expect(try Money(micros: 10_000, currency: .usd).priceString() == "USD 0.01")
        #expect(try Money(micros: 0, currency: .usd).priceString() == "USD 0.00")
        #expect(try Money(micros: 15_000, currency: .usd).priceString() == "USD 0.015")
        #expect(try Money(micros: 1, currency: .eur).priceString() == "EUR 0.000001")
        #expect(try Money(micros: 3_000_000, currency: .jpy).priceString() == "JPY 3")
        #expect(try Money(micros: 3_500_000, currency: .jpy).priceString() == "JPY 3.5")
        #expect(try Money(micros: 1_000_000, currency: try Currency("KWD")).priceString() == "KWD 1.000")
        #expect(try Money(micros: 1_000_000, currency: try Currency("XTS")).priceString() == "XTS 1.00")
        #expect(throws: PriceStringError.cannotFormatNegative(Money(micros: -1, currency: .usd))) {
            try Money(micros: -1, currency: .usd).priceString()
        }
        #expect(Money(micros: -10_000, currency: .usd).description == "USD -0.01")
    }

    @Test func formattedPricesParseBackExactly() throws {
        var generator = SeededGenerator(seed: 0x5EED_0001)
        for _ in 0..<2_000 {
            let micros = Int64.random(in: 0...Int64.max, using: &generator) >> Int64.random(in: 0...62, using: &generator)
            let money = Money(micros: micros, currency: [Currency.usd, .jpy, .eur][Int.random(in: 0..<3, using: &generator)])
            #expect(try Money(priceString: money.priceString()) == money)
        }
    }

    @Test func encodesAsMicrosAndCurrency() throws {
        let money = Money(micros: 10_000, currency: .usd)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(money), as: UTF8.self) == #"{"currency":"USD","micros":10000}"#)
        #expect(try JSONDecoder().decode(Money.self, from: Data(#"{"micros":-5,"currency":"EUR"}"#.utf8)) == Money(micros: -5, currency: .eur))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Money.self, from: Data(#"{"micros":5,"currency":"eur"}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Money.self, from: Data(#"{"micros":0.5,"currency":"EUR"}"#.utf8))
        }
    }

    @Test func arithmeticIsExactAndRefusesOverflowAndMixedCurrencies() throws {
        let cent = Money(micros: 10_000, currency: .usd)
        #expect(try cent.adding(cent) == Money(micros: 20_000, currency: .usd))
        #expect(try cent.subtracting(Money(micros: 30_000, currency: .usd)) == Money(micros: -20_000, currency: .usd))
        #expect(try cent.multiplied(by: 1_000) == Money(micros: 10_000_000, currency: .usd))
        #expect(throws: MoneyError.currencyMismatch(.usd, .eur)) { try cent.adding(Money(micros: 1, currency: .eur)) }
        #expect(throws: MoneyError.currencyMismatch(.usd, .eur)) { try cent.subtracting(Money(micros: 1, currency: .eur)) }
        #expect(throws: MoneyError.currencyMismatch(.usd, .eur)) { try cent.isLess(than: Money(micros: 1, currency: .eur)) }
        let max = Money(micros: .max, currency: .usd)
        #expect(throws: MoneyError.self) { try max.adding(Money(micros: 1, currency: .usd)) }
        #expect(throws: MoneyError.self) { try Money(micros: .min, currency: .usd).subtracting(Money(micros: 1, currency: .usd)) }
        #expect(throws: MoneyError.self) { try max.multiplied(by: 2) }
        #expect(throws: MoneyError.self) { try Money(micros: .min, currency: .usd).negated() }
        #expect(try Money.sum([cent, cent, cent], currency: .usd) == Money(micros: 30_000, currency: .usd))
        #expect(try cent.isAtMost(cent))
        #expect(try !cent.isLess(than: cent))
    }

    @Test func arithmeticMatchesWideIntegerModel() throws {
        var generator = SeededGenerator(seed: 0xC0FFEE)
        for _ in 0..<5_000 {
            let a = Int64.random(in: .min ... .max, using: &generator) >> Int64.random(in: 0...63, using: &generator)
            let b = Int64.random(in: .min ... .max, using: &generator) >> Int64.random(in: 0...63, using: &generator)
            let x = Money(micros: a, currency: .usd)
            let y = Money(micros: b, currency: .usd)
            // Reference: the exact result, computed with overflow reporting, must either be returned or refused.
            let (sum, sumOverflow) = a.addingReportingOverflow(b)
            if sumOverflow { #expect(throws: MoneyError.self) { try x.adding(y) } } else { #expect(try x.adding(y).micros == sum) }
            let (difference, differenceOverflow) = a.subtractingReportingOverflow(b)
            if differenceOverflow {
                #expect(throws: MoneyError.self) { try x.subtracting(y) }
            } else {
                #expect(try x.subtracting(y).micros == difference)
                #expect(try x.subtracting(y).adding(y) == x)
            }
            let factor = Int64.random(in: -1_000_000...1_000_000, using: &generator)
            let (product, productOverflow) = a.multipliedReportingOverflow(by: factor)
            if productOverflow {
                #expect(throws: MoneyError.self) { try x.multiplied(by: factor) }
            } else {
                #expect(try x.multiplied(by: factor).micros == product)
            }
        }
    }

    @Test func feeSplitRoundsTowardZeroAndSumsToTheWhole() throws {
        let split = try Money(micros: 10_000, currency: .usd).split(feeBasisPoints: 2_000)
        #expect(split.fee == Money(micros: 2_000, currency: .usd))
        #expect(split.net == Money(micros: 8_000, currency: .usd))
        // 333 × 15% = 49.95 micros: the fee rounds down to 49, the payee keeps 284.
        let odd = try Money(micros: 333, currency: .usd).split(feeBasisPoints: 1_500)
        #expect(odd.fee.micros == 49 && odd.net.micros == 284)
        let refund = try Money(micros: -333, currency: .usd).split(feeBasisPoints: 1_500)
        #expect(refund.fee.micros == -49 && refund.net.micros == -284)
        #expect(try Money(micros: .max, currency: .usd).split(feeBasisPoints: 10_000).net.micros == 0)
        #expect(try Money(micros: .min, currency: .usd).split(feeBasisPoints: 10_000).fee.micros == .min)
        #expect(throws: MoneyError.invalidBasisPoints(10_001)) { try Money.zero(.usd).split(feeBasisPoints: 10_001) }
        #expect(throws: MoneyError.invalidBasisPoints(-1)) { try Money.zero(.usd).split(feeBasisPoints: -1) }
    }

    @Test func feeSplitProperties() throws {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<10_000 {
            let micros = Int64.random(in: .min ... .max, using: &generator) >> Int64.random(in: 0...63, using: &generator)
            let basisPoints = Int.random(in: 0...10_000, using: &generator)
            let amount = Money(micros: micros, currency: .eur)
            let split = try amount.split(feeBasisPoints: basisPoints)
            #expect(try split.fee.adding(split.net) == amount)
            #expect(split.fee.currency == .eur && split.net.currency == .eur)
            // fee == trunc(micros × bps / 10 000), checked in exact 128-bit arithmetic.
            let exact = micros.multipliedFullWidth(by: Int64(basisPoints))
            let expectedFee = Int64(10_000).dividingFullWidth(exact).quotient
            #expect(split.fee.micros == expectedFee)
            #expect(split.fee.micros.magnitude <= micros.magnitude)
            if micros != .min {
                #expect(try amount.negated().split(feeBasisPoints: basisPoints).fee.micros == -split.fee.micros)
            }
        }
    }

    @Test func allocationUsesLargestRemainders() throws {
        let thirds = try Money(micros: 100, currency: .usd).allocated(basisPoints: [3_334, 3_333, 3_333])
        #expect(thirds.map(\.micros) == [34, 33, 33])
        let tie = try Money(micros: 1, currency: .usd).allocated(basisPoints: [5_000, 5_000])
        #expect(tie.map(\.micros) == [1, 0])
        #expect(try Money(micros: -1, currency: .usd).allocated(basisPoints: [5_000, 5_000]).map(\.micros) == [-1, 0])
        #expect(throws: MoneyError.sharesDoNotSumToWhole(9_999)) {
            try Money.zero(.usd).allocated(basisPoints: [5_000, 4_999])
        }
        #expect(throws: MoneyError.invalidBasisPoints(10_005)) {
            try Money.zero(.usd).allocated(basisPoints: [10_005, -5])
        }
    }

    @Test func allocationProperties() throws {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<3_000 {
            let micros = Int64.random(in: .min ... .max, using: &generator) >> Int64.random(in: 0...63, using: &generator)
            var remaining = 10_000
            var shares: [Int] = []
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                let share = Int.random(in: 0...remaining, using: &generator)
                shares.append(share)
                remaining -= share
            }
            shares.append(remaining)
            let amount = Money(micros: micros, currency: .usd)
            let parts = try amount.allocated(basisPoints: shares)
            #expect(parts.count == shares.count)
            #expect(try Money.sum(parts, currency: .usd) == amount)
            for (part, share) in zip(parts, shares) {
                // Each part is within one micro of its exact share, and never has the opposite sign.
                let exact = micros.magnitude.multipliedFullWidth(by: UInt64(share))
                let floor = UInt64(10_000).dividingFullWidth(exact).quotient
                #expect(part.micros.magnitude == floor || part.micros.magnitude == floor + 1)
                #expect(part.micros == 0 || (part.micros < 0) == (micros < 0))
            }
        }
    }
}
