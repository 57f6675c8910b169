import Testing
import TollgateCore

@Suite struct EncodingTests {
    @Test func base32MatchesRFC4648() {
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(Base32.decode("MZXW6YTBOI======") == Array("foobar".utf8))
        #expect(Base32.decode("mzxw6ytboi") == Array("foobar".utf8))
        #expect(Base32.decode("MZ!W") == nil)
    }

    @Test func base64URLRoundTripsWithoutPadding() {
        let bytes: [UInt8] = [0xfb, 0xff, 0x00, 0x10]
        let encoded = Base64URL.encode(bytes)
        #expect(encoded == "-_8AEA")
        #expect(Base64URL.decode(encoded) == bytes)
        #expect(Base64URL.decode("a+b") == nil)
    }

    @Test func constantTimeEquality() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2], [1, 2, 3]))
    }

    @Test func randomTokensDiffer() {
        #expect(SecureRandom.base62String(length: 40) != SecureRandom.base62String(length: 40))
        #expect(SecureRandom.base62String(length: 40).count == 40)
    }
}
