# Databricks notebook source
# /Users/ana@example.com/sales/ingest/raw
