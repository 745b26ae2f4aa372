// swift-tools-version: 6.0
import PackageDescription

// One module per layer; dependencies only point downwards:
// Kernels → Autodiff → Formats → Models → Methods → Workbench → glimpse.
// Hot loops are SIMD code: let release builds use AVX2 and FMA (Haswell level,
// every x86 server CPU since 2013) instead of the SSE2 baseline.
#if arch(x86_64)
let vectorFlags = ["-target-cpu", "haswell"]
#else
let vectorFlags: [String] = []
#endif
let optimise: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"] + vectorFlags, .when(configuration: .release))]

let package = Package(
    name: "Glimpse",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "glimpse", targets: ["glimpse"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // libpng, libjpeg and ncurses report errors through setjmp/longjmp or
        // C macros, which Swift cannot use directly: small C shims wrap them.
        .target(name: "CImage", linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg")]),
        .target(name: "CNcurses", linkerSettings: [.linkedLibrary("ncursesw")]),
        // GEMM kernels for weights packed once (AVX-512 and AVX2, chosen at run time).
        .target(name: "CPackedGEMM"),

        .target(name: "Kernels", dependencies: ["CBLAS", "CPackedGEMM"], swiftSettings: optimise),
        .target(name: "Autodiff", dependencies: ["Kernels"], swiftSettings: optimise),
        .target(name: "Formats", dependencies: ["Kernels", "CImage", "CZlib"], swiftSettings: optimise),
        .target(name: "Models", dependencies: ["Kernels", "Autodiff", "Formats"], swiftSettings: optimise),
        .target(name: "Methods", dependencies: ["Kernels", "Autodiff", "Formats", "Models"], swiftSettings: optimise),
        .target(name: "Workbench", dependencies: ["Kernels", "Formats", "Models", "Methods", "CNcurses"], swiftSettings: optimise),
        .executableTarget(
            name: "glimpse",
            dependencies: [
                "Kernels", "Formats", "Models", "Methods", "Workbench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: optimise
        ),

        .target(name: "TestSupport", dependencies: ["Kernels"], path: "Tests/TestSupport"),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport"]),
        .testTarget(name: "AutodiffTests", dependencies: ["Kernels", "Autodiff", "TestSupport"]),
        .testTarget(name: "FormatsTests", dependencies: ["Kernels", "Formats", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Kernels", "Autodiff", "Formats", "Models", "TestSupport"]),
        .testTarget(name: "MethodsTests", dependencies: ["Kernels", "Autodiff", "Formats", "Models", "Methods", "TestSupport"]),
        .testTarget(name: "WorkbenchTests", dependencies: ["Kernels", "Formats", "Models", "Methods", "Workbench", "TestSupport"],
                    exclude: ["Snapshots"]),
        .testTarget(name: "CLITests", dependencies: ["Kernels", "TestSupport"]),
    ]
)
