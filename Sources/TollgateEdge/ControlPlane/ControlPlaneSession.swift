import Foundation
import Logging

/// Owns the agent's identity with the control plane: the credential from configuration, from the data directory,
/// or obtained once by enrolling with the one-time token (then saved, 0600, so restarts do not need the token).
/// Every service asks it for an authorised client and waits until one exists.
public actor ControlPlaneSession {
    private let client: ControlPlaneClient
    private let configuredCredential: String?
    private let enrollmentToken: String?
    private let name: String
    private let credentialFile: URL
    private let logger: Logger
    private var authorized: ControlPlaneClient?
    private var enrolling: Task<ControlPlaneClient, any Error>?

    public init(
        client: ControlPlaneClient, credential: String?, enrollmentToken: String?, name: String, dataDirectory: URL,
        logger: Logger
    ) {
        self.client = client
        configuredCredential = credential
        self.enrollmentToken = enrollmentToken
        self.name = name
        credentialFile = dataDirectory.appendingPathComponent("agent-credential")
        self.logger = logger
    }

    /// A client carrying the agent credential, enrolling first if there is none yet.
    public func authorizedClient() async throws -> ControlPlaneClient {
        if let authorized { return authorized }
        if let credential = configuredCredential ?? savedCredential() {
            let authorized = client.with(credential: credential)
            self.authorized = authorized
            return authorized
        }
        if let enrolling { return try await enrolling.value }
        guard let token = enrollmentToken else {
            throw ControlPlaneError.notAuthorized(
                status: 401,
                detail: "no agent credential and no enrollment token: set TOLLGATE_EDGE_ENROLLMENT_TOKEN to a tge_… token "
                    + "from the dashboard's Agents page")
        }
        let task = Task { [client, name, credentialFile, logger] in
            let enrollment = try await client.enroll(token: token, name: name)
            try DurableFile.replace(credentialFile, with: Data((enrollment.credential + "\n").utf8))
            logger.notice("enrolled with the control plane", metadata: [
                "agent_id": "\(enrollment.agentID)", "tenant_id": "\(enrollment.tenantID)",
            ])
            return client.with(credential: enrollment.credential)
        }
        enrolling = task
        do {
            let authorized = try await task.value
            self.authorized = authorized
            enrolling = nil
            return authorized
        } catch {
            enrolling = nil
            throw error
        }
    }

    private func savedCredential() -> String? {
        guard let text = try? String(contentsOf: credentialFile, encoding: .utf8) else { return nil }
        let credential = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return credential.isEmpty ? nil : credential
    }
}
