// reassembly
