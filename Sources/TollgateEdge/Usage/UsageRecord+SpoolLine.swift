import Foundation
import TollgateCore

extension UsageRecord {
    /// The record as a spool line: the fleet protocol's JSON (`FleetJSON` reads it back) and a newline, written as
    /// bytes because it is made on a charged request's path, under the spool's lock.
    func spoolLine() -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(256 + url.utf8.count + (requestKey?.utf8.count ?? 0))
        line.append(contentsOf: #"{"sequence":"#.utf8)
        JSONBytes.appendDecimal(sequence, to: &line)
        line.append(contentsOf: #","crawler_account_id":""#.utf8)
        JSONBytes.appendUUID(crawlerAccountID, to: &line)
        line.append(contentsOf: #"","site_id":""#.utf8)
        JSONBytes.appendUUID(siteID, to: &line)
        line.append(contentsOf: #"","occurred_at":""#.utf8)
        RFC3339.append(occurredAt, to: &line)
        line.append(contentsOf: #"","price":{"micros":"#.utf8)
        JSONBytes.appendDecimal(price.micros, to: &line)
        JSONBytes.appendMember("currency", price.currency.code, to: &line)
        line.append(UInt8(ascii: "}"))
        JSONBytes.appendMember("url", url, to: &line)
        JSONBytes.appendMember("request_key", requestKey, to: &line)
        line.append(contentsOf: "}\n".utf8)
        return line
    }
}
