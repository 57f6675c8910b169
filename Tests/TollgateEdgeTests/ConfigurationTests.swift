import Foundation
import NIOCore
import Testing
import TollgateCore
@testable import TollgateEdge

@Suite struct ConfigurationTests {
    @Test func fileThenEnvironment() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("edge-\(UUID()).json")
        try Data(#"{"mode":"proxy","listen":"127.0.0.1:8181","upstream":"http://127.0.0.1:3000","control_plane_url":"http://cp:8080","trusted_proxies":["10.0.0.0/8"],"access_log":false,"upstream_timeout_seconds":12,"threads":3}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let configuration = try EdgeConfiguration.load(
            file: file, environment: ["TOLLGATE_EDGE_LISTEN": "[::]:9000", "TOLLGATE_EDGE_FAIL_MODE": "closed", "PATH": "/bin"])
        #expect(configuration.listen == HostAndPort(host: "::", port: 9000))
        #expect(configuration.upstream?.absoluteString == "http://127.0.0.1:3000")
        #expect(configuration.failMode == .closed)
        #expect(configuration.trustedProxies == ["10.0.0.0/8"])
        #expect(configuration.accessLog == false)
        #expect(configuration.upstreamTimeoutSeconds == 12)
        #expect(configuration.threads == 3)
        #expect(EdgeConfiguration().threads == System.coreCount)
    }

    @Test func errorsNameTheSetting() {
        func error(_ environment: [String: String]) -> String {
            do {
                _ = try EdgeConfiguration.load(file: nil, environment: environment)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(error([:]).contains("control_plane_url"))
        #expect(error(["TOLLGATE_EDGE_CONTROL_PLANE_URL": "http://cp"]).contains("upstream"))
        #expect(error(["TOLLGATE_EDGE_MODE": "sideways"]).contains("proxy, forward-auth"))
        #expect(error(["TOLLGATE_EDGE_CONTROL_PLANE_URL": "http://cp", "TOLLGATE_EDGE_UPSTREAM": "https://site"]).contains("plain HTTP"))
        #expect(error(["TOLLGATE_EDGE_POLICY_FILE": "/p.json", "TOLLGATE_EDGE_CONTROL_PLANE_URL": "http://cp", "TOLLGATE_EDGE_MODE": "forward-auth"]).contains("exclude"))
        #expect(error(["TOLLGATE_EDGE_POLICY_FILE": "/p.json", "TOLLGATE_EDGE_MODE": "forward-auth", "TOLLGATE_EDGE_TRUSTED_PROXIES": "10.0.0.0/33"]).contains("trusted_proxies"))
        #expect(error(["TOLLGATE_EDGE_POLICY_FILE": "/p.json", "TOLLGATE_EDGE_MODE": "forward-auth", "TOLLGATE_EDGE_THREADS": "0"]).contains("threads (TOLLGATE_EDGE_THREADS): must be 1 to 256"))
        #expect(error(["TOLLGATE_EDGE_POLICY_FILE": "/p.json", "TOLLGATE_EDGE_MODE": "forward-auth"]) == "no error")
    }
}

@Suite struct BlocklistAddressTests {
    @Test func rangesOfBothFamiliesMatchTheirAddressesOnly() throws {
        let tenant = UUID()
        func entry(_ scope: SyncBlockEntry.Scope, _ value: String) -> SyncBlockEntry {
            SyncBlockEntry(id: UUID(), tenantID: tenant, scope: scope, value: value, action: .block, reason: value, expiresAt: nil)
        }
        let blocklist = Blocklist([entry(.range, "203.0.113.0/24"), entry(.range, "2001:db8::/33"), entry(.ip, "192.0.2.1")])
        func match(_ address: String) -> String? {
            blocklist.match(tenantID: tenant, address: IPAddress(address), crawler: nil, userAgent: nil, now: Date())?.value
        }
        #expect(match("203.0.113.77") == "203.0.113.0/24")
        #expect(match("::ffff:203.0.113.5") == "203.0.113.0/24")
        #expect(match("203.0.114.1") == nil)
        #expect(match("2001:db8:7fff::1") == "2001:db8::/33")
        #expect(match("2001:db8:8000::1") == nil)
        #expect(match("192.0.2.1") == "192.0.2.1")
        #expect(blocklist.match(tenantID: UUID(), address: IPAddress("192.0.2.1"), crawler: nil, userAgent: nil, now: Date()) == nil)
    }
}
