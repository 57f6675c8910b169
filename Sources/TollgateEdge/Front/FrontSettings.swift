import NIOCore

/// What every client connection handler shares, built once by the server.
struct FrontSettings: Sendable {
    let decider: any EdgeDecider
    let requestBuilder: EdgeRequestBuilder
    let idleTimeout: TimeAmount
    let responseHeadTimeout: TimeAmount
    let maxRequestHeadSize: Int
}
