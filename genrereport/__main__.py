from genrereport.cli import console

console()
