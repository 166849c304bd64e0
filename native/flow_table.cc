// flow_table
