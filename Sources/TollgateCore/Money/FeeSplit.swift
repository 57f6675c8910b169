/// An amount divided into a fee and what remains after it; `fee + net` is exactly the original amount.
public struct FeeSplit: Sendable, Hashable {
    public let fee: Money
    public let net: Money

    public init(fee: Money, net: Money) {
        self.fee = fee
        self.net = net
    }
}

extension Money {
    public static let basisPointsPerWhole = 10_000

    /// Takes `feeBasisPoints` (0...10 000) of this amount as a fee.
    ///
    /// Rounding: the fee is rounded toward zero to whole micros and the net takes the remainder, so the fee never
    /// exceeds its nominal rate, `fee + net == self` exactly, and a refund (negative amount) splits as the mirror
    /// image of the charge it reverses.
    public func split(feeBasisPoints: Int) throws(MoneyError) -> FeeSplit {
        guard (0...Self.basisPointsPerWhole).contains(feeBasisPoints) else {
            throw MoneyError.invalidBasisPoints(feeBasisPoints)
        }
        let feeMagnitude = Self.proportion(of: micros.magnitude, basisPoints: feeBasisPoints).quotient
        let fee = Self.signed(feeMagnitude, negative: micros < 0)
        // |fee| <= |micros| with the same sign, so the subtraction cannot overflow.
        return FeeSplit(fee: Money(micros: fee, currency: currency), net: Money(micros: micros - fee, currency: currency))
    }

    /// Divides this amount into parts proportional to `shares` (basis points that must add up to 10 000).
    ///
    /// Rounding (largest remainder): each part first gets its share rounded toward zero; the micros left over go,
    /// one each, to the parts with the largest discarded remainders, earlier parts first on ties. The parts add up
    /// to exactly `self`, and each differs from its exact share by less than one micro.
    public func allocated(basisPoints shares: [Int]) throws(MoneyError) -> [Money] {
        var total = 0
        for share in shares {
            guard (0...Self.basisPointsPerWhole).contains(share) else { throw MoneyError.invalidBasisPoints(share) }
            total += share
        }
        guard total == Self.basisPointsPerWhole else { throw MoneyError.sharesDoNotSumToWhole(total) }

        let magnitude = micros.magnitude
        var parts: [UInt64] = []
        var remainders: [(index: Int, remainder: UInt64)] = []
        for (index, share) in shares.enumerated() {
            let (quotient, remainder) = Self.proportion(of: magnitude, basisPoints: share)
            parts.append(quotient)
            remainders.append((index, remainder))
        }
        // Each part lost less than one micro, so fewer micros than there are parts are left over.
        var leftover = magnitude - parts.reduce(0, +)
        remainders.sort { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index }
        for entry in remainders where leftover > 0 {
            parts[entry.index] += 1
            leftover -= 1
        }
        return parts.map { Money(micros: Self.signed($0, negative: micros < 0), currency: currency) }
    }

    /// `magnitude × basisPoints / 10 000` with a 128-bit intermediate, so no amount can overflow.
    private static func proportion(of magnitude: UInt64, basisPoints: Int) -> (quotient: UInt64, remainder: UInt64) {
        let product = magnitude.multipliedFullWidth(by: UInt64(basisPoints))
        // basisPoints <= 10 000, so the quotient is at most `magnitude` and fits in 64 bits.
        return UInt64(basisPointsPerWhole).dividingFullWidth(product)
    }

    /// Applies a sign to a magnitude that is at most `Int64.min.magnitude`.
    private static func signed(_ magnitude: UInt64, negative: Bool) -> Int64 {
        negative ? Int64(bitPattern: 0 &- magnitude) : Int64(magnitude)
    }
}
