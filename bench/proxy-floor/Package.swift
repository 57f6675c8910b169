// swift-tools-version:6.1
import PackageDescription

// Three do-nothing proxies that bound what an HTTP proxy built on SwiftNIO can cost per request on this machine
// (bench/proxy-floor.sh). Kept out of the main package so they never ship.
let package = Package(
    name: "proxy-floor",
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2")
    ],
    targets: [
        .executableTarget(
            name: "proxy-floor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        )
    ]
)
