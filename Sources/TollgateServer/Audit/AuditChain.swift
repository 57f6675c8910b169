import Crypto
import Foundation
import TollgateCore

/// The hash chain: `hash = SHA-256(prev_hash || canonical(event))`, starting from 32 zero bytes per tenant.
/// The canonical form is a fixed-order, length-prefixed list of fields, so no JSON normalisation question arises.
public enum AuditChain {
    public static let genesis = [UInt8](repeating: 0, count: 32)

    public static func hash(
        prevHash: [UInt8], tenantID: UUID, seq: Int64, occurredAtMicros: Int64, record: AuditRecord
    ) -> [UInt8] {
        var fields = [
            tenantID.uuidString.lowercased(), String(seq), String(occurredAtMicros),
            record.actor.type, record.actor.id, record.actor.label, record.clientAddress,
            record.action, record.targetType, record.targetID,
        ]
        for key in record.details.keys.sorted() {
            fields.append(key)
            fields.append(record.details[key]!)
        }
        var hasher = SHA256()
        hasher.update(data: prevHash)
        for field in fields {
            let bytes = Array(field.utf8)
            var length = UInt32(bytes.count).bigEndian
            withUnsafeBytes(of: &length) { hasher.update(bufferPointer: $0) }
            hasher.update(data: bytes)
        }
        return Array(hasher.finalize())
    }

    public static func hash(of event: AuditEvent) -> [UInt8] {
        hash(
            prevHash: event.prevHash, tenantID: event.tenantID, seq: event.seq, occurredAtMicros: event.occurredAtMicros,
            record: AuditRecord(
                action: event.action, actor: AuditActor(type: event.actorType, id: event.actorID, label: event.actorLabel),
                clientAddress: event.clientAddress, targetType: event.targetType, targetID: event.targetID,
                details: event.details))
    }

    public enum Verdict: Sendable, Equatable {
        case intact(events: Int)
        case broken(seq: Int64, reason: String)
    }

    /// Checks events given in `seq` order, starting at seq 1.
    public static func verify(_ events: some Sequence<AuditEvent>) -> Verdict {
        var expectedPrev = genesis
        var expectedSeq: Int64 = 1
        var count = 0
        for event in events {
            if event.seq != expectedSeq {
                return .broken(seq: expectedSeq, reason: "event \(expectedSeq) is missing (found \(event.seq) next)")
            }
            if event.prevHash != expectedPrev {
                return .broken(seq: event.seq, reason: "prev_hash does not match the hash of event \(event.seq - 1)")
            }
            if hash(of: event) != event.hash {
                return .broken(seq: event.seq, reason: "the event's content does not match its hash (it was altered)")
            }
            expectedPrev = event.hash
            expectedSeq += 1
            count += 1
        }
        return .intact(events: count)
    }
}
