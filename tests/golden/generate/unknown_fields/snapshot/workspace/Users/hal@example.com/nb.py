# Databricks notebook source
# /Users/hal@example.com/nb
