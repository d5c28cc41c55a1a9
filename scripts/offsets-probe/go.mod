module gmptop.local/offsets-probe

go 1.19
