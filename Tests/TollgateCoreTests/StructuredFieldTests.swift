import Testing
import TollgateCore

@Suite struct StructuredFieldTests {
    // MARK: Items and bare items

    @Test func parsesEveryBareItemType() throws {
        #expect(try StructuredFieldParser.parseItem("42").bareItem == .integer(42))
        #expect(try StructuredFieldParser.parseItem("-999999999999999").bareItem == .integer(-999_999_999_999_999))
        #expect(try StructuredFieldParser.parseItem("4.5").bareItem == .decimal(.init(thousandths: 4_500)))
        #expect(try StructuredFieldParser.parseItem("-0.001").bareItem == .decimal(.init(thousandths: -1)))
        #expect(try StructuredFieldParser.parseItem("123456789012.123").bareItem == .decimal(.init(thousandths: 123_456_789_012_123)))
        #expect(try StructuredFieldParser.parseItem(#""say \"hi\" \\ ok""#).bareItem == .string(#"say "hi" \ ok"#))
        #expect(try StructuredFieldParser.parseItem("foo123/456:x").bareItem == .token("foo123/456:x"))
        #expect(try StructuredFieldParser.parseItem("*foo").bareItem == .token("*foo"))
        #expect(try StructuredFieldParser.parseItem(":aGVsbG8=:").bareItem == .byteSequence(Array("hello".utf8)))
        #expect(try StructuredFieldParser.parseItem(":aGVsbG8:").bareItem == .byteSequence(Array("hello".utf8)))
        #expect(try StructuredFieldParser.parseItem("::").bareItem == .byteSequence([]))
        #expect(try StructuredFieldParser.parseItem("?1").bareItem == .boolean(true))
        #expect(try StructuredFieldParser.parseItem("?0").bareItem == .boolean(false))
        #expect(try StructuredFieldParser.parseItem("  7  ").bareItem == .integer(7))
    }

    @Test func parsesParameters() throws {
        let item = try StructuredFieldParser.parseItem(#"text/html;q=0.5;charset="utf-8";a;b=?0; c=tok"#)
        #expect(item.bareItem == .token("text/html"))
        #expect(item.parameters.keys == ["q", "charset", "a", "b", "c"])
        #expect(item.parameters["q"] == .decimal(.init(thousandths: 500)))
        #expect(item.parameters["a"] == .boolean(true))
        #expect(item.parameters["b"] == .boolean(false))
        #expect(item.parameters["c"] == .token("tok"))
        // A repeated key keeps its first position and takes the last value.
        let repeated = try StructuredFieldParser.parseItem("1;a=1;b=2;a=3")
        #expect(repeated.parameters.keys == ["a", "b"])
        #expect(repeated.parameters["a"] == .integer(3))
    }

    @Test(arguments: [
        ("", "empty"),
        ("1000000000000000", "integer over 15 digits"),
        ("1234567890123.0", "decimal over 12 integer digits"),
        ("1.1234", "decimal over 3 fraction digits"),
        ("1.", "decimal ending in a point"),
        ("-", "lone minus"),
        ("- 1", "space after minus"),
        ("\"unterminated", "unterminated string"),
        (#""bad \a escape""#, "invalid escape"),
        ("\"tab\there\"", "control character in string"),
        ("\"caf\u{e9}\"", "non-ASCII string"),
        ("?2", "boolean other than 0/1"),
        ("?", "boolean without value"),
        (":aGVsbG8=", "unterminated byte sequence"),
        (":aGV*sbG8=:", "byte sequence with a non-base64 character"),
        (":a=b=:", "misplaced padding"),
        ("1 2", "two items"),
        ("1 ;a", "space before parameters"),
        ("1;A=2", "upper-case parameter key"),
        ("1;=2", "empty parameter key"),
        ("\ta", "leading tab"),
        ("a,", "list syntax in an item"),
        ("@token", "invalid token start"),
        ("1;a=(1)", "inner list as parameter value"),
    ])
    func rejectsInvalidItems(input: String, why: String) {
        #expect(throws: StructuredFieldError.self, "\(why)") { try StructuredFieldParser.parseItem(input) }
    }

    @Test func errorsSayWhereAndWhat() {
        do {
            _ = try StructuredFieldParser.parseItem("1.1234")
            Issue.record("expected a failure")
        } catch {
            #expect(error.reason == .decimalFractionTooLong)
            #expect(error.offset == 0)
            #expect(error.description.contains("3 fractional digits"))
        }
        #expect(throws: StructuredFieldError(.nonASCII, offset: 3)) { try StructuredFieldParser.parseList("ab,\u{e9}") }
    }

    // MARK: Lists and dictionaries

    @Test func parsesListsWithInnerLists() throws {
        let list = try StructuredFieldParser.parseList("(\"foo\" \"bar\");lvl=5, (\"baz\"), (), tok;a, 1 ,\t2")
        #expect(list.count == 6)
        let first = try #require(list[0].innerList)
        #expect(first.items.map(\.bareItem) == [.string("foo"), .string("bar")])
        #expect(first.parameters["lvl"] == .integer(5))
        #expect(list[2] == .innerList(StructuredFieldInnerList([])))
        #expect(list[3].item?.parameters["a"] == .boolean(true))
        #expect(list[5] == .item(StructuredFieldItem(.integer(2))))
        #expect(try StructuredFieldParser.parseList("").isEmpty)
        #expect(try StructuredFieldParser.parseList("( a  b )") == [.innerList(StructuredFieldInnerList([.init(.token("a")), .init(.token("b"))]))])
    }

    @Test(arguments: ["a,", "a, ", "a,,b", ",a", "(a b", "(a,b)", "(a)b", "a b", "(\"a\"\"b\")"])
    func rejectsInvalidLists(input: String) {
        #expect(throws: StructuredFieldError.self) { try StructuredFieldParser.parseList(input) }
    }

    @Test func parsesDictionaries() throws {
        let dictionary = try StructuredFieldParser.parseDictionary("a=?0, b, c;foo=bar, d=(1 2);x, a=3")
        #expect(dictionary.keys == ["a", "b", "c", "d"])
        #expect(dictionary["a"] == .item(.init(.integer(3))))
        #expect(dictionary["b"] == .item(.init(.boolean(true))))
        #expect(dictionary["c"] == .item(.init(.boolean(true), parameters: ["foo": .token("bar")])))
        #expect(dictionary["d"]?.innerList?.parameters["x"] == .boolean(true))
        #expect(try StructuredFieldSerializer.serialize(dictionary) == "a=3, b, c;foo=bar, d=(1 2);x")
    }

    @Test(arguments: ["A=1", "a=1,", "a=1,,b=2", "a=", "1=a", "a=1 b=2", "a=1;", "a==1"])
    func rejectsInvalidDictionaries(input: String) {
        #expect(throws: StructuredFieldError.self) { try StructuredFieldParser.parseDictionary(input) }
    }

    @Test func parsesContentUsage() throws {
        let usage = try StructuredFieldParser.parseDictionary("train-ai=n, search=y, ai-use")
        #expect(usage["train-ai"]?.item?.bareItem == .token("n"))
        #expect(usage["search"]?.item?.bareItem == .token("y"))
        #expect(usage["ai-use"]?.item?.bareItem == .boolean(true))
    }

    // MARK: Serialization

    @Test func serializesCanonically() throws {
        #expect(try StructuredFieldSerializer.serialize(.decimal(.init(thousandths: 1_500))) == "1.5")
        #expect(try StructuredFieldSerializer.serialize(.decimal(.init(thousandths: 2_000))) == "2.0")
        #expect(try StructuredFieldSerializer.serialize(.decimal(.init(thousandths: -1))) == "-0.001")
        #expect(try StructuredFieldSerializer.serialize(.string(#"a"b\c"#)) == #""a\"b\\c""#)
        #expect(try StructuredFieldSerializer.serialize(.byteSequence(Array("hello".utf8))) == ":aGVsbG8=:")
        #expect(try StructuredFieldSerializer.serialize(.boolean(false)) == "?0")
        let list: StructuredFieldList = [
            .innerList(.init([.init(.string("@authority")), .init(.string("signature-agent"), parameters: ["key": .string("a")])],
                             parameters: ["created": .integer(1)])),
            .item(.init(.token("t"), parameters: ["flag": .boolean(true), "n": .integer(-2)])),
        ]
        #expect(try StructuredFieldSerializer.serialize(list) == #"("@authority" "signature-agent";key="a");created=1, t;flag;n=-2"#)
    }

    @Test func refusesToSerializeInvalidValues() {
        #expect(throws: StructuredFieldError.self) { try StructuredFieldSerializer.serialize(.integer(1_000_000_000_000_000)) }
        #expect(throws: StructuredFieldError.self) { try StructuredFieldSerializer.serialize(.decimal(.init(thousandths: 1_000_000_000_000_000))) }
        #expect(throws: StructuredFieldError.self) { try StructuredFieldSerializer.serialize(.string("caf\u{e9}")) }
        #expect(throws: StructuredFieldError.self) { try StructuredFieldSerializer.serialize(.string("line\nbreak")) }
        #expect(throws: StructuredFieldError.self) { try StructuredFieldSerializer.serialize(.token("1abc")) }
        #expect(throws: StructuredFieldError.self) { try StructuredFieldSerializer.serialize(.token("a b")) }
        #expect(throws: StructuredFieldError.self) {
            try StructuredFieldSerializer.serialize(["Upper": .item(.init(.integer(1)))] as StructuredFieldDictionary)
        }
    }

    @Test func reserializesSignatureInputFromTheVectors() throws {
        let input = #"sig2=("@authority" "signature-agent";key="agent2");created=1735689600;keyid="poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U";alg="ed25519";expires=4889289600;nonce="n9p433xm+NJ3ph3upfBIGmsuwHw387YV7Q/F+6BSpGCVjYCqQw6rznNA8PVVLySrAWsv0hQtFioQb6E1YsauiA==";tag="web-bot-auth""#
        let dictionary = try StructuredFieldParser.parseDictionary(input)
        #expect(try StructuredFieldSerializer.serialize(dictionary) == input)
        // Non-canonical spacing parses to the same structure and serializes canonically.
        let spaced = #"sig1=( "@authority"  "x" );created=1; keyid="k""#
        #expect(try StructuredFieldSerializer.serialize(StructuredFieldParser.parseDictionary(spaced)) == #"sig1=("@authority" "x");created=1;keyid="k""#)
    }

    @Test func roundTripsGeneratedValues() throws {
        var generator = SeededGenerator(seed: 0x5F)
        let tokenCharacters = Array("abcxyzABC019!#$%&'*+-.^_`|~:/")
        let stringCharacters = Array(#"abc XYZ 019 "\ !~()"#)
        func bareItem() -> StructuredFieldBareItem {
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: return .integer(Int64.random(in: -999_999_999_999_999...999_999_999_999_999, using: &generator))
            case 1: return .decimal(.init(thousandths: Int64.random(in: -999_999_999_999_999...999_999_999_999_999, using: &generator)))
            case 2: return .string(String((0..<Int.random(in: 0..<12, using: &generator)).map { _ in stringCharacters.randomElement(using: &generator)! }))
            case 3: return .token("t" + String((0..<Int.random(in: 0..<8, using: &generator)).map { _ in tokenCharacters.randomElement(using: &generator)! }))
            case 4: return .byteSequence((0..<Int.random(in: 0..<20, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            default: return .boolean(Bool.random(using: &generator))
            }
        }
        func parameters() -> StructuredFieldParameters {
            var parameters = StructuredFieldParameters()
            for index in 0..<Int.random(in: 0..<3, using: &generator) { parameters["p\(index)"] = bareItem() }
            return parameters
        }
        for _ in 0..<500 {
            var dictionary = StructuredFieldDictionary()
            for index in 0..<Int.random(in: 1..<5, using: &generator) {
                if Bool.random(using: &generator) {
                    dictionary["k\(index)"] = .item(.init(bareItem(), parameters: parameters()))
                } else {
                    let items = (0..<Int.random(in: 0..<4, using: &generator)).map { _ in StructuredFieldItem(bareItem(), parameters: parameters()) }
                    dictionary["k\(index)"] = .innerList(.init(items, parameters: parameters()))
                }
            }
            let serialized = try StructuredFieldSerializer.serialize(dictionary)
            #expect(try StructuredFieldParser.parseDictionary(serialized) == dictionary, "\(serialized)")
        }
    }
}
