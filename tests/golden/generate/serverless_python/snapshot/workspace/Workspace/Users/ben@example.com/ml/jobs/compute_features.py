file /Workspace/Users/ben@example.com/ml/jobs/compute_features.py
