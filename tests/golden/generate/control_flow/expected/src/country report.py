# Databricks notebook source
# /Users/fay@example.com/orchestration/country report
