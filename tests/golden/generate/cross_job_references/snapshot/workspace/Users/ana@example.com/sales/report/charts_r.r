# Databricks notebook source
# /Users/ana@example.com/sales/report/charts_r
