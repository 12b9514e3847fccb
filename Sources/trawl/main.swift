print("trawl")
