from strangler.cli import main

main()
