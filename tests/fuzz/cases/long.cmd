letters	yes abcdefghij | tr -d '\n' | head -c 1048576
cjk	yes 中文字符 | tr -d '\n' | head -c 900000
digits	yes 1234567890 | tr -d '\n' | head -c 1048576
spaces	yes ' ' | tr -d '\n' | head -c 1048576
