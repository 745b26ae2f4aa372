import Foundation
import Formats
import Kernels
import TestSupport
import Testing

/// An uncompressed IDX file; zlib reads such a file as it is, even named `.gz`.
func idxBytes(magic: UInt32, sizes: [UInt32], data: [UInt8]) -> [UInt8] {
    ([magic] + sizes).flatMap { word in (0..<4).reversed().map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } } + data
}

@Suite struct FashionMNISTTests {
    @Test func readsTheTestSplit() throws {
        let data = try FashionMNIST(split: .test)
        #expect(data.count == 10000)
        #expect(data.labels.count == 10000)
        #expect(data.label(at: 0) == 9)
        #expect(data.classNames[data.label(at: 0)] == "Ankle boot")
        #expect(Array(data.labels.prefix(10)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        let first = try data.image(at: 0)
        #expect(first.shape == [1, 28, 28])
        #expect(first[flat: 7 * 28 + 19] == Float(3) / 255)
        #expect(first[flat: 14 * 28 + 14] == Float(110) / 255)
        #expect(first[flat: 27 * 28 + 27] == 0)
        #expect(abs(first.array.reduce(0, +) - Float(33456) / 255) < 1e-3)
        #expect(try data.image(at: 9999)[flat: 14 * 28 + 14] == Float(132) / 255)
        #expect(FashionMNIST.classNames == ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"])
    }

    @Test func readsTheTrainingSplit() throws {
        let data = try FashionMNIST(split: .train)
        #expect(data.count == 60000)
        #expect(Array(data.labels.prefix(5)) == [9, 0, 0, 3, 0])
    }

    @Test func namesTheDebianPackageWhenMissing() throws {
        let directory = try TemporaryDirectory()
        expectFileError(directory.path("t10k-images-idx3-ubyte.gz"), "install the Debian package dataset-fashion-mnist") {
            try FashionMNIST(split: .test, directory: directory.path)
        }
    }

    /// Writes a test split of two 2×3 images with `labels` and returns the directory.
    private func smallSplit(imagesMagic: UInt32 = 2051, labelsMagic: UInt32 = 2049, imageCount: UInt32 = 2,
                            labels: [UInt8] = [3, 9]) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try directory.write(idxBytes(magic: imagesMagic, sizes: [imageCount, 2, 3], data: Array(0..<12).map { $0 * 20 }),
                            to: "t10k-images-idx3-ubyte.gz")
        try directory.write(idxBytes(magic: labelsMagic, sizes: [UInt32(labels.count)], data: labels),
                            to: "t10k-labels-idx1-ubyte.gz")
        return directory
    }

    @Test func readsUncompressedIDXOfAnySize() throws {
        let directory = try smallSplit()
        let data = try FashionMNIST(split: .test, directory: directory.path)
        #expect(data.count == 2 && data.height == 2 && data.width == 3)
        #expect(data.labels == [3, 9])
        #expect(try data.image(at: 1).array == [120, 140, 160, 180, 200, 220].map { Float($0) / 255 })
    }

    @Test func refusesInconsistentIDX() throws {
        let images = "t10k-images-idx3-ubyte.gz"
        let labels = "t10k-labels-idx1-ubyte.gz"
        let cases: [(TemporaryDirectory, String, String)] = [
            (try smallSplit(imagesMagic: 2049), images, "magic number 2049, expected 2051"),
            (try smallSplit(labelsMagic: 2051), labels, "magic number 2051, expected 2049"),
            (try smallSplit(imageCount: 3), images, "truncated IDX file: 12 of 18 bytes present"),
            (try smallSplit(imageCount: 1), images, "data continues past the 6 bytes"),
            (try smallSplit(labels: [1, 2, 3]), labels, "3 labels for 2 images"),
            (try smallSplit(labels: [1, 10]), labels, "label 10 of item 1 is not a class 0...9"),
        ]
        for (directory, file, problem) in cases {
            expectFileError(directory.path(file), problem) { try FashionMNIST(split: .test, directory: directory.path) }
        }
    }

    @Test func refusesCorruptAndTruncatedGzip() throws {
        let source = URL(fileURLWithPath: FashionMNIST.defaultDirectory)
        let labels = try fileBytes(source.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path)
        let images = try fileBytes(source.appendingPathComponent("t10k-images-idx3-ubyte.gz").path)
        let labelsName = "t10k-labels-idx1-ubyte.gz"
        var scrambled = labels
        for offset in stride(from: 40, to: 400, by: 7) { scrambled[offset] ^= 0x5A }
        let variants: [([UInt8], String)] = [
            (Array(labels[0..<(labels.count / 2)]), "truncated IDX file"),
            (scrambled, "corrupt IDX file: gzip data"),
            ([], "file is empty"),
        ]
        for (bytes, problem) in variants {
            let directory = try TemporaryDirectory()
            try directory.write(Array(images[0..<(images.count / 3)]), to: "t10k-images-idx3-ubyte.gz")
            try directory.write(bytes, to: labelsName)
            expectFileError(directory.path("t10k-images-idx3-ubyte.gz"), "truncated IDX file") {
                try FashionMNIST(split: .test, directory: directory.path)
            }
            try directory.write(images, to: "t10k-images-idx3-ubyte.gz")
            expectFileError(directory.path(labelsName), problem) { try FashionMNIST(split: .test, directory: directory.path) }
        }
    }
}

@Suite struct ImageFolderTests {
    /// cat: a.PNG, b.png (plus a text file and a hidden image); dog: c.ppm, d.JPG; empty: nothing.
    private func tree() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let png = try fileBytes(imageFixture("rgb8.png"))
        try directory.write(png, to: "cat/b.png")
        try directory.write(try fileBytes(imageFixture("grey8.png")), to: "cat/a.PNG")
        try directory.write(Array("not an image".utf8), to: "cat/notes.txt")
        try directory.write(png, to: "cat/.hidden.png")
        try directory.write(try fileBytes(imageFixture("rgb8.ppm")), to: "dog/c.ppm")
        try directory.write(try fileBytes(imageFixture("grey.jpg")), to: "dog/d.JPG")
        try directory.write(png, to: ".git/e.png")
        try directory.write(png, to: "loose.png")
        try FileManager.default.createDirectory(atPath: directory.path("empty"), withIntermediateDirectories: false)
        return directory
    }

    @Test func listsClassesAndSamplesInOrder() throws {
        let directory = try tree()
        let folder = try ImageFolder(directory: directory.path)
        #expect(folder.classNames == ["cat", "dog", "empty"])
        #expect(folder.samples == [
            .init(path: directory.path("cat/a.PNG"), label: 0),
            .init(path: directory.path("cat/b.png"), label: 0),
            .init(path: directory.path("dog/c.ppm"), label: 1),
            .init(path: directory.path("dog/d.JPG"), label: 1),
        ])
        #expect(folder.count == 4)
        #expect(folder.label(at: 2) == 1)
        #expect(try folder.image(at: 0).shape == [1, 3, 5])
        #expect(try folder.image(at: 3).shape == [1, 16, 16])
    }

    @Test func splitsByAStableHash() throws {
        let directory = try TemporaryDirectory()
        let png = try fileBytes(imageFixture("grey1.png"))
        for index in 0..<200 { try directory.write(png, to: "class\(index % 3)/image\(index).png") }
        let all = try ImageFolder(directory: directory.path)
        let train = try ImageFolder(directory: directory.path, split: .train, testPercent: 25, seed: 7)
        let test = try ImageFolder(directory: directory.path, split: .test, testPercent: 25, seed: 7)
        #expect(train.count + test.count == all.count)
        #expect(Set(train.samples.map(\.path)).isDisjoint(with: test.samples.map(\.path)))
        #expect((30...70).contains(test.count))
        #expect(try ImageFolder(directory: directory.path, split: .test, testPercent: 25, seed: 7).samples == test.samples)
        #expect(try ImageFolder(directory: directory.path, split: .test, testPercent: 25, seed: 8).samples != test.samples)
        #expect(try ImageFolder(directory: directory.path, split: .test, testPercent: 0).count == 0)
        #expect(try ImageFolder(directory: directory.path, split: .train, testPercent: 100).count == 0)

        // Adding files never moves the ones already there.
        for index in 200..<230 { try directory.write(png, to: "class0/image\(index).png") }
        let grown = try ImageFolder(directory: directory.path, split: .test, testPercent: 25, seed: 7)
        #expect(Set(test.samples.map(\.path)).isSubset(of: grown.samples.map(\.path)))
    }

    @Test func refusesWhatIsNotAnImageFolder() throws {
        let directory = try tree()
        let missing = directory.path("missing")
        expectFileError(missing, "no such file") { try ImageFolder(directory: missing) }
        let file = directory.path("loose.png")
        expectFileError(file, "is a file, not a directory") { try ImageFolder(directory: file) }
        let flat = directory.path("cat")
        expectFileError(flat, "no class sub-folders") { try ImageFolder(directory: flat) }
        let noImages = try TemporaryDirectory()
        try noImages.write(Array("text".utf8), to: "a/readme.txt")
        expectFileError(noImages.path, "no images") { try ImageFolder(directory: noImages.path) }
        expectFileError(directory.path, "test percentage 101") { try ImageFolder(directory: directory.path, testPercent: 101) }
    }
}

@Suite struct ShuffleTests {
    @Test func splitMix64MatchesTheReferenceSequence() {
        var generator = SeededGenerator(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func permutationsAreDeterministicAndComplete() {
        let first = seededPermutation(count: 1000, seed: 42)
        #expect(first == seededPermutation(count: 1000, seed: 42))
        #expect(first != seededPermutation(count: 1000, seed: 43))
        #expect(first.sorted() == Array(0..<1000))
        #expect(first != Array(0..<1000))
        #expect(seededPermutation(count: 0, seed: 1).isEmpty)
        #expect(seededPermutation(count: 1, seed: 1) == [0])
    }

    @Test func boundedDrawsStayInRangeAndCoverIt() {
        var generator = SeededGenerator(seed: 9)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<7000 { counts[generator.nextIndex(below: 7)] += 1 }
        #expect(counts.allSatisfy { (850...1150).contains($0) })
    }

    @Test func dataSetsShuffleTheirIndices() throws {
        let data = try FashionMNIST(split: .test)
        let order = data.shuffledIndices(seed: 5)
        #expect(order == seededPermutation(count: 10000, seed: 5))
    }
}
