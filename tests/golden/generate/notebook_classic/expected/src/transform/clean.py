# Databricks notebook source
# /Users/ana@example.com/sales/transform/clean
