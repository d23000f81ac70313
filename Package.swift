// swift-tools-version:6.1
import PackageDescription

/// Strict settings shared by every Swift target (CONTRIBUTING.md rule 1).
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
        /// epoll, eventfd, accept4, pipe2 and thread names, which Swift's Glibc module does not export (no library
        /// to link). Imported by SystemSupport only.
        .systemLibrary(name: "CLinux"),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        /// libpq, PostgreSQL's client library: the shared store of several receivers (docs/reference.md §8).
        /// Imported by WebhookStore only; no libpq type appears in a public signature.
        .systemLibrary(
            name: "CPostgres",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),

        // MARK: Libraries
        /// OS plumbing, one way each: the syscall helper (EINTR, errno), threads, waiting, Duration conversions,
        /// pipes, and the Swift side of CLinux (epoll, eventfd, accept4).
        .target(name: "SystemSupport", dependencies: ["CLinux"], swiftSettings: strictSettings),
        .target(name: "WebhookHTTP", dependencies: ["SystemSupport"], swiftSettings: strictSettings),
        .target(name: "WebhookCrypto", dependencies: ["COpenSSL"], swiftSettings: strictSettings),
        .target(name: "WebhookCore", dependencies: ["WebhookCrypto"], swiftSettings: strictSettings),
        .target(
            name: "WebhookStore",
            dependencies: ["WebhookCore", "WebhookCrypto", "CSQLite", "CPostgres", "SystemSupport"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "WebhookApp",
            dependencies: ["WebhookHTTP", "WebhookCrypto", "WebhookCore", "WebhookStore", "SystemSupport"],
            swiftSettings: strictSettings
        ),
        .executableTarget(name: "kyc-webhooks", dependencies: ["WebhookApp"], swiftSettings: strictSettings),
        .target(
            name: "WebhookTesting",
            dependencies: ["WebhookApp", "WebhookStore", "SystemSupport"],
            swiftSettings: strictSettings
        ),

        // MARK: Test-only executables
        /// The daemon over the test kit's AcknowledgeBeforeCommitInbox: the crash test's negative control.
        .executableTarget(
            name: "kyc-webhooks-ack-before-commit",
            dependencies: ["WebhookApp", "WebhookHTTP", "WebhookStore", "WebhookTesting"],
            swiftSettings: strictSettings
        ),
        /// Reads one raw HTTP request on stdin and prints the parser's decision (the differential test).
        .executableTarget(name: "http-probe", dependencies: ["WebhookHTTP"], swiftSettings: strictSettings),
        /// The per-request CPU cost of verify + decode, and a bare-listener server (bench/run.sh; not a test).
        .executableTarget(
            name: "kyc-webhooks-bench",
            dependencies: ["WebhookCore", "WebhookCrypto", "WebhookHTTP"],
            swiftSettings: strictSettings
        ),

        // MARK: Tests
        .testTarget(name: "SystemSupportTests", dependencies: ["SystemSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "WebhookHTTPTests",
            dependencies: ["WebhookHTTP", "WebhookTesting", "SystemSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "WebhookCryptoTests",
            dependencies: ["WebhookCrypto", "WebhookTesting"],
            swiftSettings: strictSettings
        ),
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
            dependencies: ["WebhookApp", "WebhookTesting", "SystemSupport"],
            swiftSettings: strictSettings
        ),
    ]
)
