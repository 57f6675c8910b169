/// How the agent sits in front of the site.
public enum EdgeMode: String, Sendable, Codable, CaseIterable {
    /// A reverse proxy: clients connect to the agent, which forwards to the upstream.
    case proxy
    /// Answers authorization subrequests from nginx `auth_request`, Traefik ForwardAuth or Envoy.
    case forwardAuth = "forward-auth"
}
