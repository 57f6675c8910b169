/// The other end of a client connection, worked out once per connection.
struct ClientPeer: Sendable {
    /// The peer's IP address as text; nil for a Unix socket.
    var address: String?
    /// Whether its `X-Forwarded-*` headers are believed.
    var isTrusted: Bool
}
