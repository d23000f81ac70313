// swift-tools-version:6.1
import PackageDescription

/// Strict settings shared by every Swift target (STYLE.md rule 1).
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "kyc-webhooks",
    products: [
        .executable(name: "kyc-webhooks", targets: ["kyc-webhooks"]),
        .library(name: "WebhookApp", targets: ["WebhookApp"]),
        .library(name: "WebhookCore", targets: ["WebhookCore"]),
    ],
    targets: [
        // MARK: C libraries of the system
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        /// epoll and eventfd, which Swift's Glibc module does not export (no library to link).
        .systemLibrary(name: "CLinux"),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),

        // MARK: Libraries
        .target(name: "WebhookHTTP", dependencies: ["CLinux"], swiftSettings: strictSettings),
        .target(name: "WebhookCrypto", dependencies: ["COpenSSL"], swiftSettings: strictSettings),
        .target(name: "WebhookCore", dependencies: ["WebhookCrypto"], swiftSettings: strictSettings),
        .target(
            name: "WebhookStore",
            dependencies: ["WebhookCore", "WebhookCrypto", "CSQLite"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "WebhookApp",
            dependencies: ["WebhookHTTP", "WebhookCrypto", "WebhookCore", "WebhookStore"],
            swiftSettings: strictSettings
        ),
        .executableTarget(name: "kyc-webhooks", dependencies: ["WebhookApp"], swiftSettings: strictSettings),
        .target(name: "WebhookTesting", dependencies: ["WebhookApp"], swiftSettings: strictSettings),

        // MARK: Test-only executables
        /// Reads one raw HTTP request on stdin and prints the parser's decision (the differential test).
        .executableTarget(name: "http-probe", dependencies: ["WebhookHTTP"], swiftSettings: strictSettings),
        /// The per-request CPU cost of verify + decode, and a bare-listener server (bench/run.sh; not a test).
        .executableTarget(
            name: "kyc-webhooks-bench",
            dependencies: ["WebhookCore", "WebhookCrypto", "WebhookHTTP"],
            swiftSettings: strictSettings
        ),

        // MARK: Tests
        .testTarget(
            name: "WebhookHTTPTests",
            dependencies: ["WebhookHTTP", "WebhookTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "WebhookCryptoTests", dependencies: ["WebhookCrypto"], swiftSettings: strictSettings),
        .testTarget(
            name: "WebhookCoreTests",
            dependencies: ["WebhookCore", "WebhookTesting"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "WebhookStoreTests",
            dependencies: ["WebhookStore", "WebhookTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "WebhookAppTests",
            dependencies: ["WebhookApp", "WebhookTesting"],
            swiftSettings: strictSettings
        ),
    ]
)
