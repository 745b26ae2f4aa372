import Foundation
import TestSupport
import Testing
import Workbench

@Suite struct PersistenceTests {
    @Test func stateFileRoundTripsRecentItems() throws {
        let directory = try TemporaryDirectory()
        let file = StateFile(path: directory.path + "/glimpse/state.json")
        #expect(file.load() == .missing)
        var items = RecentItems()
        items.noteModel("/models/vit")
        items.noteImage("/images/a.png")
        items.noteImage("/images/b.png")
        try file.save(items)
        #expect(file.load() == .loaded(items))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/glimpse")
        #expect(leftovers == ["state.json"], "the temporary file is renamed into place")
    }

    @Test func corruptStateFilesAreReportedNotFatal() throws {
        let directory = try TemporaryDirectory()
        for contents in ["{not json", "[1, 2]", "{\"models\": 3, \"images\": []}", ""] {
            try directory.file("state.json", contents: contents)
            guard case .unreadable(let reason) = StateFile(path: directory.path + "/state.json").load() else {
                Issue.record("accepted \(contents)")
                continue
            }
            #expect(reason.hasSuffix("state.json: ignored, not a valid state file"))
        }
    }

    @Test func savingWhereNoFolderCanBeMadeThrows() throws {
        let directory = try TemporaryDirectory()
        try directory.file("blocker")
        #expect(throws: (any Error).self) { try StateFile(path: directory.path + "/blocker/state.json").save(RecentItems()) }
    }

    @Test func defaultPathFollowsXDG() {
        #expect(StateFile.defaultPath(environment: ["XDG_STATE_HOME": "/xdg", "HOME": "/home/u"]) == "/xdg/glimpse/state.json")
        #expect(StateFile.defaultPath(environment: ["HOME": "/home/u"]) == "/home/u/.local/state/glimpse/state.json")
        #expect(StateFile.defaultPath(environment: ["XDG_STATE_HOME": "relative", "HOME": "/home/u"])
            == "/home/u/.local/state/glimpse/state.json", "XDG says relative paths are invalid")
    }

    @Test func recentItemsPutTheLatestFirstWithoutDuplicatesAndCapped() {
        var items = RecentItems()
        for index in 0..<15 { items.noteImage("/\(index).png") }
        items.noteImage("/10.png")
        #expect(items.images.count == RecentItems.limit)
        #expect(items.images.prefix(3) == ["/10.png", "/14.png", "/13.png"])
        #expect(Set(items.images).count == items.images.count)
    }
}

@Suite struct DirectoryListingTests {
    @Test func listsFoldersThenImagesSortedAndSkipsTheRest() throws {
        let directory = try TemporaryDirectory()
        try directory.folder("zebra")
        try directory.folder("Alpha")
        try directory.folder(".hidden")
        for name in ["b.PNG", "a.jpg", "c.jpeg", "d.ppm", "e.pgm", "notes.txt", ".secret.png", "img10.png", "img2.png"] {
            try directory.file(name)
        }
        let entries = try DirectoryListing.read(directory.path).get()
        #expect(entries.filter(\.isDirectory).map(\.name) == ["Alpha", "zebra"])
        #expect(entries.filter { !$0.isDirectory }.map(\.name) == ["a.jpg", "b.PNG", "c.jpeg", "d.ppm", "e.pgm", "img2.png", "img10.png"])
        #expect(entries.prefix(2).allSatisfy { $0.isDirectory })
    }

    @Test func unreadableFoldersGiveAOneLineError() {
        let result = DirectoryListing.read("/no/such/folder")
        #expect(throws: ListingError(description: "/no/such/folder: cannot list this folder")) { try result.get() }
    }
}
