module gmptop.test/fixture

go 1.19
