module gmptop.test/fixturecgo

go 1.19
