"""The meeting map: the offline Folium page, its payload, script and images."""
