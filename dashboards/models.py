"""The dashboards own no table: the roll-ups they read belong to the domain apps
(committees.UnitCount, congresses.CongressCount and friends, kept through progress)."""
