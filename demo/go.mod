module gmptop/demo

go 1.19
