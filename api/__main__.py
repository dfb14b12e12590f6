"""`python -m api` runs the citeqa command line."""

from api.cli import main

if __name__ == "__main__":
    main()
