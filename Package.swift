// swift-tools-version: 6.0
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "trawl",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Trawl", targets: ["Trawl"]),
        .executable(name: "trawl", targets: ["TrawlTool"]),
    ],
    dependencies: [],
    targets: [
        .target(name: "CTrawlCurl"),
        .target(name: "Trawl", dependencies: ["CTrawlCurl"], swiftSettings: strict),
        .target(name: "TrawlCommandLine", swiftSettings: strict),
        .target(name: "TrawlTestSite", swiftSettings: strict),
        .executableTarget(
            // Not `trawl`: on a case-insensitive file system (macOS's default) it would share the library
            // `Trawl`'s build directory and module file. The product, and so the executable, is `trawl`.
            name: "TrawlTool",
            dependencies: ["Trawl", "TrawlCommandLine", "TrawlTestSite"],
            path: "Sources/trawl",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "example-validated-crawl", dependencies: ["Trawl", "TrawlTestSite"],
            path: "examples/ValidatedCrawl", swiftSettings: strict),
        .executableTarget(
            name: "example-custom-retry", dependencies: ["Trawl", "TrawlTestSite"],
            path: "examples/CustomRetry", swiftSettings: strict),
        .executableTarget(
            name: "trawl-engine-benchmark", dependencies: ["Trawl"], path: "Benchmarks/EngineBenchmark",
            swiftSettings: strict),
        .testTarget(name: "TrawlTests", dependencies: ["Trawl", "TrawlTestSite"], swiftSettings: strict),
        .testTarget(name: "TrawlCommandLineTests", dependencies: ["TrawlCommandLine"], swiftSettings: strict),
        .testTarget(name: "TrawlTestSiteTests", dependencies: ["TrawlTestSite"], swiftSettings: strict),
        .testTarget(
            name: "TrawlEndToEndTests",
            dependencies: ["TrawlTool", "TrawlTestSite"],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
