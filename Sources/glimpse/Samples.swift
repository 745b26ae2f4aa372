import ArgumentParser
import Formats
import Foundation

struct Samples: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the first image of each class of a data set as PNG files (demo and test inputs).")

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Output folder.")
    var out: String

    @Option(help: "At most this many classes.")
    var classes: Int = 10

    func run() throws {
        let source = try dataOptions.source()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var written = Set<Int>()
        for index in 0..<source.count where written.count < min(classes, source.classNames.count) {
            let label = source.label(at: index)
            guard written.insert(label).inserted else { continue }
            let name = source.classNames[label].lowercased().replacingOccurrences(of: "/", with: "-")
                .replacingOccurrences(of: " ", with: "-")
            let path = "\(out)/\(String(format: "%02d", label))-\(name).png"
            try ImageFile.writePNG(try source.image(at: index), to: path)
            print(path)
        }
    }
}
