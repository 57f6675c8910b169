import Testing

@testable import TollgateGateways

@Suite struct StripeFormEncoderTests {
    typealias F = StripeFormEncoder.Field

    @Test func nestsWithRackBracketsInOrder() {
        let body = StripeFormEncoder.encode([
            F("amount", .integer(1234)),
            F("currency", .string("usd")),
            F("confirm", .bool(true)),
            F("off_session", .bool(false)),
            F("metadata", .object([F("tollgate_reference", .string("TOPUP1")), F("b", .string("2"))])),
            F("expand", .array([.string("latest_charge"), .string("customer")])),
            F("a", .object([F("b", .object([F("c", .array([.object([F("d", .string("x"))])]))]))])),
        ])
        #expect(body == "amount=1234&currency=usd&confirm=true&off_session=false&metadata[tollgate_reference]=TOPUP1"
            + "&metadata[b]=2&expand[0]=latest_charge&expand[1]=customer&a[b][c][0][d]=x")
    }

    @Test func escapesValuesAndNamesButNotTheNesting() {
        let body = StripeFormEncoder.encode([
            F("description", .string("Top-up & more = 10 € / 100%")),
            F("metadata", .object([F("odd[key]", .string("a+b"))])),
        ])
        #expect(body == "description=Top-up%20%26%20more%20%3D%2010%20%E2%82%AC%20%2F%20100%25"
            + "&metadata[odd%5Bkey%5D]=a%2Bb")
    }

    @Test func emptyContainersSendNothing() {
        // An empty value would unset the field at Stripe.
        #expect(StripeFormEncoder.encode([F("metadata", .object([])), F("expand", .array([])), F("x", .string(""))]) == "x=")
        #expect(StripeFormEncoder.pairs([F("m", .object([F("k", .string("v w"))]))]).map { "\($0.key)=\($0.value)" } == ["m[k]=v w"])
    }
}
