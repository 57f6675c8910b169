import NIOHTTP1

extension HTTPHeaders {
    /// Removes the hop-by-hop fields (RFC 9110 §7.6.1: Connection and the fields it names, Keep-Alive, Proxy-*, TE,
    /// Trailer, Transfer-Encoding, Upgrade). `keepingUpgrade` leaves Upgrade for a WebSocket handshake; the caller
    /// then sets `Connection: upgrade` again.
    mutating func removeHopByHopFields(keepingUpgrade: Bool = false) {
        var doomed: [String] = []
        for (name, value) in self {
            switch HopByHopField(name) {
            case .none:
                continue
            case .connection:
                doomed.append(name)
                for token in HopByHopField.namedFields(inConnection: value, keepingUpgrade: keepingUpgrade) {
                    doomed.append(String(token))
                }
            case .upgrade:
                if !keepingUpgrade { doomed.append(name) }
            case .other:
                doomed.append(name)
            }
        }
        for name in doomed { remove(name: name) }
    }

    /// A WebSocket handshake: `Connection: upgrade` and `Upgrade: websocket`.
    var isWebSocketUpgrade: Bool {
        guard let upgrade = first(name: "upgrade"), upgrade.containsToken("websocket") else { return false }
        return self["connection"].contains { $0.containsToken("upgrade") }
    }
}

/// What a field name is to a proxy relaying a message (RFC 9110 §7.6.1).
enum HopByHopField {
    case none
    case connection
    case upgrade
    case other

    init(_ name: String) {
        self.init(bytes: name.utf8)
    }

    /// The fields a Connection value names, which a proxy must not pass on either: its tokens other than the `close`
    /// and `keep-alive` options (and `upgrade`, when a WebSocket handshake keeps its Upgrade field).
    static func namedFields(inConnection value: String, keepingUpgrade: Bool) -> [Substring] {
        value.split(separator: ",").compactMap { token in
            let token = token.trimmingSpaces
            if token.isEqualCaseInsensitive(to: "close") || token.isEqualCaseInsensitive(to: "keep-alive")
                || keepingUpgrade && token.isEqualCaseInsensitive(to: "upgrade")
            {
                return nil
            }
            return token
        }
    }

    init<Name: Collection>(bytes name: Name) where Name.Element == UInt8 {
        switch name.count {
        case 2:
            self = name.isEqualCaseInsensitive(to: "te") ? .other : .none
        case 7:
            if name.isEqualCaseInsensitive(to: "upgrade") {
                self = .upgrade
            } else {
                self = name.isEqualCaseInsensitive(to: "trailer") ? .other : .none
            }
        case 10:
            if name.isEqualCaseInsensitive(to: "connection") {
                self = .connection
            } else {
                self = name.isEqualCaseInsensitive(to: "keep-alive") ? .other : .none
            }
        case 17 where name.isEqualCaseInsensitive(to: "transfer-encoding"):
            self = .other
        default:
            // `Proxy-Connection`, `Proxy-Authorization` … and plain `Proxy` (httpoxy). (`| 0x20` lower-cases the
            // ASCII letters and maps no other byte onto one.)
            let isProxy = name.count >= 5 && (name.count == 5 || name.dropFirst(5).first == UInt8(ascii: "-"))
                && zip(name, "proxy".utf8).allSatisfy { $0 | 0x20 == $1 }
            self = isProxy ? .other : .none
        }
    }
}
