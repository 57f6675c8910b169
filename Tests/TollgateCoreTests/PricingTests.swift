import Foundation
import Testing
import TollgateCore

@Suite struct PricingTests {
    func usd(_ micros: Int64) -> Money { Money(micros: micros, currency: .usd) }

    // MARK: Path patterns

    @Test(arguments: [
        ("/", "/anything", true),
        ("/fish", "/fish", true),
        ("/fish", "/fish.html", true),
        ("/fish", "/fishheads/yummy.html", true),
        ("/fish", "/Fish.asp", false),
        ("/fish", "/catfish", false),
        ("/fish*", "/fish/salmon.html", true),
        ("/fish/", "/fish", false),
        ("/fish/", "/fish/?id=anything", true),
        ("/*.php", "/index.php", true),
        ("/*.php", "/folder/filename.php?parameters", true),
        ("/*.php", "/windows.PHP", false),
        ("/*.php$", "/filename.php", true),
        ("/*.php$", "/filename.php?parameters", false),
        ("/*.php$", "/filename.php5", false),
        ("/fish*.php", "/fishheads/catfish.php?parameters", true),
        ("/fish*.php", "/Fish.PHP", false),
        ("/$", "/", true),
        ("/$", "/a", false),
        ("*", "/x", true),
        ("/a*b*c$", "/aXbYc", true),
        ("/a*b*c$", "/aXbYcZ", false),
        ("/price$list", "/price$list/2", true),
        ("/caf%C3%A9", "/café", true),
        ("/café", "/caf%c3%a9", true),
        ("/%7Euser", "/~user/home", true),
        ("/a%2Fb", "/a/b", false),
    ])
    func patternsFollowRobotsSemantics(pattern: String, path: String, matches: Bool) throws {
        #expect(try PathPattern(pattern).matches(path) == matches)
    }

    @Test func patternsAgreeWithARegularExpressionModel() throws {
        var generator = SeededGenerator(seed: 9_309)
        let alphabet: [Character] = ["a", "b", "/", "."]
        for _ in 0..<3_000 {
            var source = "/"
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                source.append(Int.random(in: 0..<3, using: &generator) == 0 ? "*" : alphabet.randomElement(using: &generator)!)
            }
            let anchored = Bool.random(using: &generator)
            if anchored { source.append("$") }
            let body = anchored ? String(source.dropLast()) : source
            let regex = try NSRegularExpression(
                pattern: "^" + body.split(separator: "*", omittingEmptySubsequences: false)
                    .map { NSRegularExpression.escapedPattern(for: String($0)) }.joined(separator: ".*") + (anchored ? "$" : "")
            )
            let pattern = try PathPattern(source)
            for _ in 0..<10 {
                let path = "/" + String((0..<Int.random(in: 0...7, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
                let expected = regex.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil
                #expect(pattern.matches(path) == expected, "\(source) vs \(path)")
            }
        }
    }

    @Test func patternLengthCountsNormalizedOctets() throws {
        #expect(try PathPattern("/a*").length == 3)
        #expect(try PathPattern("/a$").length == 3)
        #expect(try PathPattern("/%7E").length == 2)
    }

    @Test(arguments: [
        ("", PathPatternError.empty),
        ("fish", .mustStartWithSlash("fish")),
        ("/a b", .invalidCharacter("/a b")),
        ("/a#b", .invalidCharacter("/a#b")),
        ("/a\tb", .invalidCharacter("/a\tb")),
        ("/bad%zz", .invalidPercentEncoding("/bad%zz")),
        ("/bad%4", .invalidPercentEncoding("/bad%4")),
    ])
    func rejectsBadPatterns(pattern: String, error: PathPatternError) {
        #expect(throws: error) { try PathPattern(pattern) }
    }

    @Test func matchesOverlongPatternsLinearly() throws {
        #expect(throws: PathPatternError.tooLong(2_049)) { try PathPattern("/" + String(repeating: "a", count: 2_048)) }
        let pattern = try PathPattern("/" + String(repeating: "*a", count: 500) + "$")
        #expect(!pattern.matches("/" + String(repeating: "a", count: 499)))
        #expect(pattern.matches("/" + String(repeating: "a", count: 600)))
    }

    // MARK: Quotes

    let policy = PricingPolicy(
        currency: .usd,
        defaultPrice: Money(micros: 10_000, currency: .usd),
        purposes: [
            .training: .price(Money(micros: 50_000, currency: .usd)),
            .search: .free,
            .other: .block,
        ],
        freePaths: ["/public/*", "/*.css$"],
        pathRules: [
            PathPriceRule(pattern: "/premium/", action: .price(Money(micros: 100_000, currency: .usd))),
            PathPriceRule(pattern: "/premium/teaser", action: .free),
            PathPriceRule(pattern: "/private", action: .block),
            PathPriceRule(pattern: "/tie/a", action: .block),
            PathPriceRule(pattern: "/tie/*", action: .price(Money(micros: 20_000, currency: .usd))),
            PathPriceRule(pattern: "/tie*/", action: .price(Money(micros: 30_000, currency: .usd))),
            PathPriceRule(pattern: "/tie/b", action: .price(Money(micros: 0, currency: .usd))),
        ],
        crawlerOverrides: [
            CrawlerPriceOverride(crawler: "BadBot", action: .block),
            CrawlerPriceOverride(crawler: "PartnerBot", action: .free),
            CrawlerPriceOverride(crawler: "DiscountBot", action: .price(Money(micros: 5_000, currency: .usd))),
        ]
    )

    @Test func quotesFollowTheDocumentedPrecedence() throws {
        let quoter = try PriceQuoter(policy)
        // 1. Always-free paths, even for blocked crawlers.
        #expect(quoter.quote(crawler: "BadBot", purpose: .training, path: "/robots.txt") == .free)
        #expect(quoter.quote(crawler: "BadBot", purpose: .training, path: "/robots.txt?x=1") == .free)
        #expect(quoter.quote(crawler: nil, purpose: .training, path: "/.well-known/security.txt") == .free)
        #expect(quoter.quote(crawler: nil, purpose: .training, path: "/robots%2etxt") == .free)
        #expect(quoter.quote(crawler: nil, purpose: .training, path: "/robots.txt/more") == .price(usd(50_000)))
        #expect(quoter.quote(crawler: "BadBot", purpose: .training, path: "/public/page") == .free)
        #expect(quoter.quote(crawler: nil, purpose: .training, path: "/styles/site.css") == .free)
        #expect(quoter.quote(crawler: nil, purpose: .training, path: "/styles/site.css?v=2") == .price(usd(50_000)))
        // 2. Crawler block / free, case-insensitively.
        #expect(quoter.quote(crawler: "badbot", purpose: .search, path: "/article") == .blocked(.crawler("BadBot")))
        #expect(quoter.quote(crawler: "PartnerBot", purpose: .training, path: "/premium/x") == .free)
        // 3. Longest path rule.
        #expect(quoter.quote(crawler: nil, purpose: .search, path: "/premium/story") == .price(usd(100_000)))
        #expect(quoter.quote(crawler: nil, purpose: .training, path: "/premium/teaser-1") == .free)
        #expect(quoter.quote(crawler: "DiscountBot", purpose: .training, path: "/private/x") == .blocked(.path("/private")))
        #expect(quoter.quote(crawler: "DiscountBot", purpose: .training, path: "/premium/story") == .price(usd(100_000)))
        // 4. Crawler price beats purpose and default.
        #expect(quoter.quote(crawler: "DiscountBot", purpose: .training, path: "/article") == .price(usd(5_000)))
        #expect(quoter.quote(crawler: "DiscountBot", purpose: .other, path: "/article") == .price(usd(5_000)))
        // 5. Purpose.
        #expect(quoter.quote(crawler: "GPTBot", purpose: .training, path: "/article") == .price(usd(50_000)))
        #expect(quoter.quote(crawler: "GPTBot", purpose: .search, path: "/article") == .free)
        #expect(quoter.quote(crawler: "GPTBot", purpose: .other, path: "/article") == .blocked(.purpose(.other)))
        // 6. Default.
        #expect(quoter.quote(crawler: "GPTBot", purpose: .aiInput, path: "/article") == .price(usd(10_000)))
        #expect(try policy.quote(crawler: nil, purpose: .aiInput, path: "/") == .price(usd(10_000)))
    }

    @Test func equalLengthPatternsFavourTheLessRestrictive() throws {
        let quoter = try PriceQuoter(policy)
        // "/tie/a" (block), "/tie/*" and "/tie*/" (prices) are all 6 octets: the lowest price wins over block.
        #expect(quoter.quote(crawler: nil, purpose: .aiInput, path: "/tie/a") == .price(usd(20_000)))
        // A zero price is free, and free beats every price of the same length.
        #expect(quoter.quote(crawler: nil, purpose: .aiInput, path: "/tie/b") == .free)
        let allowTie = PricingPolicy(
            currency: .usd,
            pathRules: [PathPriceRule(pattern: "/x$", action: .block), PathPriceRule(pattern: "/x*", action: .free)]
        )
        #expect(try allowTie.quote(crawler: nil, purpose: .training, path: "/x") == .free)
        let noTie = PricingPolicy(
            currency: .usd,
            pathRules: [PathPriceRule(pattern: "/x/y", action: .block), PathPriceRule(pattern: "/x/", action: .free)]
        )
        #expect(try noTie.quote(crawler: nil, purpose: .training, path: "/x/y") == .blocked(.path("/x/y")))
    }

    @Test func emptyPolicyIsFree() throws {
        #expect(try PricingPolicy(currency: .eur).quote(crawler: "Any", purpose: .training, path: "/a") == .free)
    }

    @Test func quoteAgreesWithABruteForceModel() throws {
        // Random policies over a tiny alphabet, checked against a direct reading of the precedence rules.
        var generator = SeededGenerator(seed: 2_024)
        let alphabet: [Character] = ["a", "b", "/"]
        func randomPath() -> String { "/" + String((0..<Int.random(in: 0...4, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }) }
        func randomPattern() -> String {
            var pattern = "/"
            for _ in 0..<Int.random(in: 0...3, using: &generator) {
                pattern.append(Bool.random(using: &generator) ? "*" : alphabet.randomElement(using: &generator)!)
            }
            return Int.random(in: 0..<4, using: &generator) == 0 ? pattern + "$" : pattern
        }
        func randomAction() -> PricingAction {
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: .free
            case 1: .block
            default: .price(usd(Int64.random(in: 1...5, using: &generator) * 1_000))
            }
        }
        for _ in 0..<300 {
            var rules: [PathPriceRule] = []
            var seen: Set<String> = []
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                let pattern = randomPattern()
                if seen.insert(pattern).inserted { rules.append(PathPriceRule(pattern: pattern, action: randomAction())) }
            }
            let policy = PricingPolicy(currency: .usd, defaultPrice: usd(500), pathRules: rules)
            let quoter = try PriceQuoter(policy)
            for _ in 0..<20 {
                let path = randomPath()
                let matching = try rules.filter { try PathPattern($0.pattern).matches(path) }
                let expected: PriceQuote
                if let longest = try matching.map({ try PathPattern($0.pattern).length }).max() {
                    let candidates = try matching.filter { try PathPattern($0.pattern).length == longest }
                    let rank: (PricingAction) -> (Int, Int64) = { action in
                        switch action {
                        case .free: (0, 0)
                        case .price(let money): (1, money.micros)
                        case .block: (2, 0)
                        }
                    }
                    let winner = candidates.min { rank($0.action) < rank($1.action) }!
                    switch winner.action {
                    case .free: expected = .free
                    case .block: expected = .blocked(.path(winner.pattern))
                    case .price(let money): expected = .price(money)
                    }
                } else {
                    expected = .price(usd(500))
                }
                #expect(quoter.quote(crawler: nil, purpose: .training, path: path) == expected, "\(rules) \(path)")
            }
        }
    }

    // MARK: Validation

    @Test func validationNamesEveryBadField() throws {
        let bad = PricingPolicy(
            currency: .usd,
            defaultPrice: Money(micros: 10, currency: .eur),
            purposes: [.training: .price(usd(-1))],
            freePaths: ["/ok", "nope"],
            pathRules: [
                PathPriceRule(pattern: "/a", action: .price(Money(micros: 5, currency: .gbp))),
                PathPriceRule(pattern: "/%7E", action: .free),
                PathPriceRule(pattern: "/~", action: .block),
                PathPriceRule(pattern: "/ok", action: .block),
            ],
            crawlerOverrides: [
                CrawlerPriceOverride(crawler: "GPTBot", action: .block),
                CrawlerPriceOverride(crawler: "gptbot ", action: .free),
                CrawlerPriceOverride(crawler: " ", action: .free),
            ]
        )
        let issues = bad.validationIssues()
        #expect(issues == [
            PricingPolicyIssue(field: "default_price", problem: .currencyMismatch(expected: .usd, found: .eur)),
            PricingPolicyIssue(field: "purposes.training.price", problem: .negativePrice(usd(-1))),
            PricingPolicyIssue(field: "free_paths[1]", problem: .badPattern(.mustStartWithSlash("nope"))),
            PricingPolicyIssue(field: "path_rules[0].price", problem: .currencyMismatch(expected: .usd, found: .gbp)),
            PricingPolicyIssue(field: "path_rules[2].pattern", problem: .duplicatePattern("/~", firstAt: "path_rules[1].pattern")),
            PricingPolicyIssue(field: "path_rules[3].pattern", problem: .duplicatePattern("/ok", firstAt: "free_paths[0]")),
            PricingPolicyIssue(field: "crawler_overrides[1].crawler", problem: .duplicateCrawler("gptbot ", firstAt: "crawler_overrides[0].crawler")),
            PricingPolicyIssue(field: "crawler_overrides[2].crawler", problem: .emptyCrawler),
        ])
        #expect(throws: PricingPolicyError(issues: issues)) { try PriceQuoter(bad) }
        #expect(throws: PricingPolicyError.self) { try bad.quote(crawler: nil, purpose: .search, path: "/") }
        #expect(issues[0].description == "default_price: price is in EUR but the policy currency is USD")
        #expect(policy.validationIssues().isEmpty)
    }

    // MARK: JSON

    @Test func policyRoundTripsThroughSnakeCaseJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(policy), as: UTF8.self)
        #expect(json.contains(#""default_price":{"currency":"USD","micros":10000}"#))
        #expect(json.contains(#""free_paths":["/public/*","/*.css$"]"#))
        #expect(json.contains(#"{"action":"price","pattern":"/premium/","price":{"currency":"USD","micros":100000}}"#))
        #expect(json.contains(#"{"action":"block","crawler":"BadBot"}"#))
        #expect(json.contains(#""purposes":{"other":{"action":"block"},"search":{"action":"free"},"training":{"action":"price","price":{"currency":"USD","micros":50000}}}"#))
        #expect(try JSONDecoder().decode(PricingPolicy.self, from: Data(json.utf8)) == policy)
    }

    @Test func decodesMinimalAndRejectsUnknownValues() throws {
        let minimal = try JSONDecoder().decode(PricingPolicy.self, from: Data(#"{"currency":"EUR"}"#.utf8))
        #expect(minimal == PricingPolicy(currency: .eur))
        let withPurpose = #"{"currency":"USD","purposes":{"ai-input":{"action":"price","price":{"micros":1,"currency":"USD"}}}}"#
        #expect(try JSONDecoder().decode(PricingPolicy.self, from: Data(withPurpose.utf8)).purposes[.aiInput] == .price(usd(1)))
        for bad in [
            #"{"currency":"usd"}"#,
            #"{"currency":"USD","purposes":{"scraping":{"action":"free"}}}"#,
            #"{"currency":"USD","path_rules":[{"pattern":"/a","action":"charge"}]}"#,
            #"{"currency":"USD","path_rules":[{"pattern":"/a","action":"price"}]}"#,
            #"{"currency":"USD","crawler_overrides":[{"action":"free"}]}"#,
        ] {
            #expect(throws: DecodingError.self, "\(bad)") { try JSONDecoder().decode(PricingPolicy.self, from: Data(bad.utf8)) }
        }
    }

    @Test func purposeLabelsAcceptTheStandardVocabularies() {
        #expect(CrawlPurpose(label: "train-ai") == .training)
        #expect(CrawlPurpose(label: "AI-Train") == .training)
        #expect(CrawlPurpose(label: "ai-use") == .aiInput)
        #expect(CrawlPurpose(label: "ai-input") == .aiInput)
        #expect(CrawlPurpose(label: "search") == .search)
        #expect(CrawlPurpose(label: "scrape") == nil)
    }
}
