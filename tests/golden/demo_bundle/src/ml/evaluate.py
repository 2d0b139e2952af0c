"""Evaluate the churn model and publish its AUC as a task value."""
import argparse

import mlflow
from sklearn.metrics import roc_auc_score


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--min-auc", type=float, default=0.8)
    args = parser.parse_args()
    model = mlflow.pyfunc.load_model(f"models:/{args.model}/latest")
    scored = spark.table("main.ml.churn_holdout").toPandas()  # noqa: F821
    auc = roc_auc_score(scored["churned"], model.predict(scored))
    dbutils.jobs.taskValues.set("auc", auc)  # noqa: F821
    if auc < args.min_auc:
        raise SystemExit(f"AUC {auc:.3f} below {args.min_auc}")


if __name__ == "__main__":
    main()
