// Reads one raw HTTP request on stdin and prints the parser's decision (for the differential test).
print("unimplemented")
