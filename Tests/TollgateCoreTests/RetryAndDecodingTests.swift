import Foundation
import Testing
import TollgateCore

@Suite struct RetryAndDecodingTests {
    @Test func backoffDoublesFromTheFirstWaitUpToTheCeiling() {
        var backoff = Backoff(first: .seconds(1), ceiling: .seconds(30))
        #expect((1...7).map { _ in backoff.failed() } == [1, 2, 4, 8, 16, 30, 30].map { .seconds($0) })
        backoff.succeeded()
        #expect(backoff.failures == 0 && backoff.failed() == .seconds(1))

        let stored = Backoff(first: .seconds(60), ceiling: .seconds(6 * 3600))
        #expect(stored.delay(afterFailures: 0) == .zero)
        #expect(stored.delay(afterFailures: 3) == .seconds(240))
        #expect(stored.delay(afterFailures: 10_000) == .seconds(6 * 3600))
    }

    struct Document: Decodable {
        struct Rule: Decodable { let pattern: String }
        let name: String
        let rules: [Rule]
    }

    @Test func decodingErrorsNameTheFieldAndWhatIsWrong() throws {
        func summary(_ json: String) throws -> String {
            do {
                _ = try JSONDecoder().decode(Document.self, from: Data(json.utf8))
                Issue.record("\(json) decoded")
                return ""
            } catch let error as DecodingError {
                return error.summary
            }
        }
        #expect(try summary(#"{"rules":[]}"#) == "name is missing")
        #expect(try summary(#"{"name":"a","rules":[{"pattern":"/"},{}]}"#) == "rules[1].pattern is missing")
        #expect(try summary(#"{"name":"a","rules":[{"pattern":7}]}"#).hasPrefix("rules[0].pattern: "))
        #expect(try summary("[]").hasPrefix("the document: "))
        #expect(DecodingError.fieldPath([]) == "")
    }
}
