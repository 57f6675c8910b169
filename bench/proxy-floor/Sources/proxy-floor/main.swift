import NIOCore
import NIOPosix

// proxy-floor MODE LISTEN_PORT UPSTREAM_PORT, MODE one of:
//   bytes     copies bytes both ways (the floor of any proxy on NIO);
//   nio-http  NIO's HTTP/1 codecs on both sides, parts passed through unchanged;
//   half      NIO's codec towards the client; towards the upstream the request head is written as bytes and the
//             response's bytes go back as they came.
// Each client connection gets its own upstream connection on its event loop; two loops, like the agent on 2 cores.
let arguments = CommandLine.arguments
guard arguments.count == 4, let mode = RelayMode(rawValue: arguments[1]), let port = Int(arguments[2]),
    let upstreamPort = Int(arguments[3])
else {
    print("usage: proxy-floor bytes|nio-http|half LISTEN_PORT UPSTREAM_PORT")
    exit(2)
}
let upstream = try SocketAddress(ipAddress: "127.0.0.1", port: upstreamPort)
let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
let server = try await ServerBootstrap(group: group)
    .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in mode.setUp(client: channel, upstream: upstream) }
    .bind(host: "127.0.0.1", port: port).get()
try await server.closeFuture.get()
