import ArgumentParser
import Formats

/// `--data fashion-mnist|PATH --split train|test [--limit N]`.
struct DataOptions: ParsableArguments {
    @Option(help: "Data set: fashion-mnist, or a folder of class sub-folders of images.")
    var data: String = "fashion-mnist"

    @Option(help: "Split: train or test (image folders hold out a seeded 20% as test).")
    var split: String = "test"

    @Option(help: "Use at most this many images.")
    var limit: Int?

    func validate() throws {
        guard ["train", "test"].contains(split) else { throw ValidationError("--split must be train or test") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func source() throws -> any LabelledImageSource {
        try DataSets.open(data, split: DataSets.Split(rawValue: split) ?? .test)
    }
}
