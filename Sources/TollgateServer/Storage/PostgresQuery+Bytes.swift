import NIOCore
import PostgresNIO

extension PostgresQuery.StringInterpolation {
    /// Binds bytes as `bytea` (a plain `[UInt8]` would be sent as `"char"[]`).
    mutating func appendInterpolation(bytea bytes: [UInt8]) {
        appendInterpolation(ByteBuffer(bytes: bytes))
    }

    mutating func appendInterpolation(bytea bytes: [UInt8]?) {
        appendInterpolation(bytes.map { ByteBuffer(bytes: $0) })
    }
}

extension ByteBuffer {
    var bytes: [UInt8] { Array(readableBytesView) }
}
