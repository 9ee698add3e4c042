"""A liaison's day on the road: the distances between places, the order a solver finds
for the day's stops, and the day's route as My week shows it."""
