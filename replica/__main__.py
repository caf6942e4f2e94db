from replica.server import main

main()
